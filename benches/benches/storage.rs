//! What keeping a group in a store costs: the bytes each epoch writes against group size, and
//! the time of a stored commit against a plain one at n = 1000, on dalek's suite 0xF001.
//!
//! `cargo bench -p artmls-benches --bench storage`. Three parts, in this order:
//!
//! 1. A table (printed, not a criterion group): for n = 16 ... 10^4 (`ARTMLS_BENCH_STORAGE_MAX`
//!    lowers the top), a group made in one commit, a sender and a receiver joined from its
//!    Welcome (the other members stay KeyPackages), each attached to its own SQLite file
//!    (`synchronous=FULL`) behind a store that counts what every transaction writes. The
//!    sender makes eight update commits, the receiver processes them; the table gives the
//!    records and body bytes of one epoch's transaction on each side, the whole state
//!    (`Group::to_bytes`) beside it, and what SQLite did on disk.
//! 2. A paired run (see [`pair_up`]) at n = 1000: a plain sender and receiver beside a stored
//!    pair, one epoch of each in turn, printing the median commit (make and merge) and process
//!    times both ways and their ratio, measured in the same run.
//! 3. The criterion group `storage_n1000`: `process_update`, `commit_update` and their
//!    `_stored_memory`, `_stored_sqlite_full`, `_stored_sqlite_normal` and
//!    `_stored_sqlite_off` forms, and `sqlite_floor_full` / `_normal` / `_off`: one SQLite
//!    transaction writing one 64-byte record; `sqlite_floor_update_records_full` / `_off`:
//!    the records an update at n = 1000 writes (state, leaf and ancestors, past epoch), in a
//!    store laid out like such a group, scrubbed like a commit: what SQLite alone costs for a
//!    stored commit on that disk; `fsync_4KiB`: 4 KiB written to a plain file and synced, the
//!    disk alone; `persist_unchanged_stored_memory`: a write of a group at n = 1000 in which
//!    only the log position changed (the state record, no tree node).
//!
//! The SQLite files go to a fresh directory under the system's temporary directory, or under
//! `ARTMLS_BENCH_STORAGE_DIR` when it is set (to measure another disk).

use std::hint::black_box;
use std::io::{Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use artmls::CipherSuite;
use artmls::group::{Group, GroupConfig, Identity};
use artmls::storage::{
    MemoryStore, Operation, Record, RecordKey, RecordKind, SharedStorage, Storage, StorageKey,
    Store, StoreError, StoreInfo, Transaction,
};
use artmls_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tempfile::TempDir;

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

/// The group size of the timed part.
const N: usize = 1000;

/// Update epochs per size in the table.
const EPOCHS: usize = 8;

/// Whether criterion runs in test mode (`cargo test --benches`): then every part runs small.
fn test_mode() -> bool {
    std::env::args().any(|arg| arg == "--test")
}

fn table_sizes() -> Vec<usize> {
    let max = std::env::var("ARTMLS_BENCH_STORAGE_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000usize);
    let max = if test_mode() { max.min(64) } else { max };
    [16, 64, 256, 1024, 4096, 10_000]
        .into_iter()
        .filter(|n| *n <= max)
        .collect()
}

fn bench_dir() -> TempDir {
    match std::env::var_os("ARTMLS_BENCH_STORAGE_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("a directory for the SQLite files")
}

/// A group of n made in one commit, and two members joined from its Welcome: the sender at the
/// right end of the tree, the receiver a quarter in (in the other half, as half of all receivers
/// are, so it recomputes the root). The creator and the other members are not needed: the
/// sender's updates are processed by the receiver alone.
fn group_of<S: CipherSuite>(n: usize, rng: &mut StdRng) -> (Group<S>, Group<S>) {
    let mut joiners: Vec<_> = (1..n)
        .map(|i| {
            let identity = Identity::<S>::new_with_rng(format!("m{i}"), rng);
            let bundle = identity.key_package_with_rng(rng).expect("key package");
            Some((identity, bundle))
        })
        .collect();
    let key_packages: Vec<_> = joiners
        .iter()
        .flatten()
        .map(|(_, bundle)| bundle.key_package().clone())
        .collect();
    let creator = Identity::<S>::new_with_rng("creator", rng);
    let (_creator, welcome) = Group::initiate_with_rng(
        creator,
        b"bench".to_vec(),
        &key_packages,
        GroupConfig::default(),
        rng,
    )
    .expect("initiate");
    let mut join = |index: usize| {
        let (identity, bundle) = joiners[index].take().expect("joiner");
        Group::join(&welcome, &bundle, identity, GroupConfig::default()).expect("join")
    };
    // Joiner i sits at leaf i + 1.
    (join(n - 2), join(n / 4))
}

/// One epoch: the sender makes an update commit and merges it, the receiver processes it.
fn epoch<S: CipherSuite>(sender: &mut Group<S>, receiver: &mut Group<S>, rng: &mut StdRng) {
    let pending = sender.commit_update_with_rng(rng).expect("update");
    let message = pending.message().to_vec();
    let position = sender.log_position().max(receiver.log_position());
    sender
        .merge_pending_commit_at(position, pending)
        .expect("merge");
    receiver
        .process_message_at(position, &message)
        .expect("process");
}

fn storage_key() -> StorageKey {
    StorageKey::new([7; 32])
}

fn sqlite(dir: &TempDir, name: &str, synchronous: Synchronous) -> SqliteStore {
    let mut options = SqliteOptions::default();
    options.synchronous = synchronous;
    SqliteStore::open_with(dir.path().join(name), options).expect("open SQLite")
}

// ---------------------------------------------------------------------------------------------
// Part 1: bytes written per epoch.

/// What one transaction wrote.
#[derive(Debug, Clone, Copy, Default)]
struct Written {
    /// Records put, of each kind: state, tree nodes, past epochs.
    state: usize,
    nodes: usize,
    past: usize,
    /// Records deleted (single deletes and ranges).
    deletes: usize,
    /// Body bytes put, of each kind.
    state_bytes: usize,
    node_bytes: usize,
    past_bytes: usize,
    /// The store's size (database and WAL) after the transaction.
    file_bytes: Option<u64>,
    /// Bytes the process handed to `write()` during the transaction (Linux `/proc/self/io`).
    wchar: Option<u64>,
}

impl Written {
    fn records(&self) -> usize {
        self.state + self.nodes + self.past
    }

    fn bytes(&self) -> usize {
        self.state_bytes + self.node_bytes + self.past_bytes
    }
}

/// A store that notes what every transaction writes, then hands it on.
struct Counting<St> {
    inner: St,
    log: Arc<Mutex<Vec<Written>>>,
}

/// The bytes this process has passed to `write()` so far, where the system says.
fn wchar() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|line| line.strip_prefix("wchar:"))
        .and_then(|value| value.trim().parse().ok())
}

impl<St: Store> Store for Counting<St> {
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
        let mut written = Written::default();
        for operation in transaction.operations() {
            match operation {
                Operation::Put(key, record) => {
                    let (count, bytes) = match key.kind {
                        RecordKind::GroupState => (&mut written.state, &mut written.state_bytes),
                        RecordKind::TreeNode => (&mut written.nodes, &mut written.node_bytes),
                        _ => (&mut written.past, &mut written.past_bytes),
                    };
                    *count += 1;
                    *bytes += record.body.len();
                }
                _ => written.deletes += 1,
            }
        }
        assert_eq!(written.bytes(), transaction.bytes_written());
        let before = wchar();
        self.inner.apply(transaction)?;
        written.wchar = before.zip(wchar()).map(|(before, after)| after - before);
        written.file_bytes = self.inner.info()?.size_bytes;
        self.log.lock().expect("log").push(written);
        Ok(())
    }

    fn info(&self) -> Result<StoreInfo, StoreError> {
        self.inner.info()
    }
}

/// A SQLite store (FULL) behind a [`Counting`] one, and its log.
fn counted(dir: &TempDir, name: &str) -> (SharedStorage, Arc<Mutex<Vec<Written>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let store = Counting {
        inner: sqlite(dir, name, Synchronous::Full),
        log: log.clone(),
    };
    (Storage::new(store, storage_key()).into_shared(), log)
}

/// One row of the table: what the first write (the whole group) and one epoch's writes held.
struct Row {
    n: usize,
    state_bytes: usize,
    attach: Written,
    sender: Written,
    receiver: Written,
    /// The sender's SQLite file after attaching, and after the last epoch.
    file_after_attach: Option<u64>,
    file_after_epochs: Option<u64>,
}

/// Measures one size. Epoch writes are alike from the second on (the first adds the first
/// past-epoch record but deletes none); the row holds the last one.
fn measure_size(n: usize, rng: &mut StdRng) -> Row {
    let (mut sender, mut receiver) = group_of::<Suite>(n, rng);
    let dir = bench_dir();
    let (sender_storage, sender_log) = counted(&dir, "sender.db");
    let (receiver_storage, receiver_log) = counted(&dir, "receiver.db");
    sender.attach_storage(&sender_storage).expect("attach");
    receiver.attach_storage(&receiver_storage).expect("attach");
    for _ in 0..EPOCHS {
        epoch(&mut sender, &mut receiver, rng);
    }
    let sender_log = sender_log.lock().expect("log").clone();
    let receiver_log = receiver_log.lock().expect("log").clone();
    assert_eq!(sender_log.len(), EPOCHS + 1, "one transaction per epoch");
    assert_eq!(receiver_log.len(), EPOCHS + 1, "one transaction per epoch");
    Row {
        n,
        state_bytes: sender.to_bytes().expect("state").len(),
        attach: sender_log[0],
        sender: sender_log[EPOCHS],
        receiver: receiver_log[EPOCHS],
        file_after_attach: sender_log[0].file_bytes,
        file_after_epochs: sender_log[EPOCHS].file_bytes,
    }
}

fn kib(bytes: usize) -> String {
    if bytes >= 10 * 1024 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn option_kib(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "n/a".to_string(), |bytes| kib(bytes as usize))
}

fn table(_: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(11);
    let mut rows = Vec::new();
    for n in table_sizes() {
        let started = Instant::now();
        rows.push(measure_size(n, &mut rng));
        eprintln!(
            "storage table: n = {n} measured in {:.1?}",
            started.elapsed()
        );
    }
    println!();
    println!(
        "Bytes one update epoch writes (suite 0xF001, past_epochs = 1, SQLite synchronous=FULL; \
         the last of {EPOCHS} epochs)"
    );
    println!();
    println!(
        "| n | whole state (to_bytes) | first write: records / bytes | commit: records (nodes) / bytes | process: records (nodes) / bytes | commit bytes / whole state | commit bytes: state + nodes + past epoch | SQLite write() per commit | SQLite file after first write / after {EPOCHS} epochs |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {} / {} | {} ({}) / {} | {} ({}) / {} | {:.4} | {} + {} + {} | {} | {} / {} |",
            row.n,
            kib(row.state_bytes),
            row.attach.records(),
            kib(row.attach.bytes()),
            row.sender.records(),
            row.sender.nodes,
            row.sender.bytes(),
            row.receiver.records(),
            row.receiver.nodes,
            row.receiver.bytes(),
            row.sender.bytes() as f64 / row.state_bytes as f64,
            row.sender.state_bytes,
            row.sender.node_bytes,
            row.sender.past_bytes,
            option_kib(row.sender.wchar),
            option_kib(row.file_after_attach),
            option_kib(row.file_after_epochs),
        );
    }
    println!();
}

// ---------------------------------------------------------------------------------------------
// Parts 2 and 3: time at n = 1000.

/// Where a pair of members is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    Plain,
    Memory,
    Sqlite(Synchronous),
}

impl Keep {
    const STORED: [Keep; 4] = [
        Keep::Memory,
        Keep::Sqlite(Synchronous::Full),
        Keep::Sqlite(Synchronous::Normal),
        Keep::Sqlite(Synchronous::Off),
    ];

    fn suffix(self) -> &'static str {
        match self {
            Keep::Plain => "",
            Keep::Memory => "_stored_memory",
            Keep::Sqlite(Synchronous::Full) => "_stored_sqlite_full",
            Keep::Sqlite(Synchronous::Normal) => "_stored_sqlite_normal",
            Keep::Sqlite(_) => "_stored_sqlite_off",
        }
    }

    fn storage(self, dir: &TempDir, name: &str) -> Option<SharedStorage> {
        let storage = match self {
            Keep::Plain => return None,
            Keep::Memory => Storage::new(MemoryStore::new(), storage_key()),
            Keep::Sqlite(synchronous) => {
                Storage::new(sqlite(dir, name, synchronous), storage_key())
            }
        };
        Some(storage.into_shared())
    }
}

/// A sender and a receiver of the same group, at the same epoch, kept as `keep` says (each in
/// its own store), with their own generator.
struct Pair {
    sender: Group<Suite>,
    receiver: Group<Suite>,
    rng: StdRng,
}

/// The group of n = 1000 once, as bytes, from which every pair is restored.
struct Snapshot {
    sender: Vec<u8>,
    receiver: Vec<u8>,
    dir: TempDir,
    made: usize,
}

impl Snapshot {
    fn new(n: usize) -> Snapshot {
        let mut rng = StdRng::seed_from_u64(5);
        let (mut sender, mut receiver) = group_of::<Suite>(n, &mut rng);
        // Both newcomers update once, as they would before committing anything else.
        epoch(&mut sender, &mut receiver, &mut rng);
        epoch(&mut receiver, &mut sender, &mut rng);
        Snapshot {
            sender: sender.to_bytes().expect("state").as_bytes().to_vec(),
            receiver: receiver.to_bytes().expect("state").as_bytes().to_vec(),
            dir: bench_dir(),
            made: 0,
        }
    }

    fn pair(&mut self, keep: Keep) -> Pair {
        self.made += 1;
        let mut sender = Group::<Suite>::from_bytes(&self.sender).expect("restore");
        let mut receiver = Group::<Suite>::from_bytes(&self.receiver).expect("restore");
        let made = self.made;
        if let Some(storage) = keep.storage(&self.dir, &format!("sender{made}.db")) {
            sender.attach_storage(&storage).expect("attach");
        }
        if let Some(storage) = keep.storage(&self.dir, &format!("receiver{made}.db")) {
            receiver.attach_storage(&storage).expect("attach");
        }
        Pair {
            sender,
            receiver,
            rng: StdRng::seed_from_u64(100 + made as u64),
        }
    }
}

/// The sender makes and merges an update commit; returns the commit and where it is in the log.
fn commit(sender: &mut Group<Suite>, rng: &mut StdRng) -> (u64, Vec<u8>) {
    let pending = sender.commit_update_with_rng(rng).expect("update");
    let message = pending.message().to_vec();
    let position = sender.log_position();
    black_box(
        sender
            .merge_pending_commit_at(position, pending)
            .expect("merge"),
    );
    (position, message)
}

/// The receiver processes a commit at its place in the log.
fn process(receiver: &mut Group<Suite>, (position, message): &(u64, Vec<u8>)) {
    black_box(
        receiver
            .process_message_at(*position, black_box(message))
            .expect("process"),
    );
}

impl Pair {
    /// One epoch, timed: the commit (make and merge) and the processing.
    fn timed_epoch(&mut self) -> (Duration, Duration) {
        let started = Instant::now();
        let commit = commit(&mut self.sender, &mut self.rng);
        let committed = started.elapsed();
        let started = Instant::now();
        process(&mut self.receiver, &commit);
        (committed, started.elapsed())
    }
}

/// Runs `measure(false)` (plain) and `measure(true)` (stored) `rounds` times each, back to back,
/// alternating which goes first, so that load from elsewhere on the machine, which drifts over
/// seconds, falls on both alike; returns the plain and stored results.
fn pair_up<T>(rounds: usize, mut measure: impl FnMut(bool) -> T) -> (Vec<T>, Vec<T>) {
    let (mut plain, mut stored) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let stored_first = round % 2 == 1;
        let first = measure(stored_first);
        let second = measure(!stored_first);
        let (p, s) = if stored_first {
            (second, first)
        } else {
            (first, second)
        };
        plain.push(p);
        stored.push(s);
    }
    (plain, stored)
}

fn median_us(mut times: Vec<Duration>) -> f64 {
    times.sort_unstable();
    times[times.len() / 2].as_secs_f64() * 1e6
}

/// Part 2: each stored form against a plain pair, one epoch of each in turn.
fn paired(_: &mut Criterion) {
    let rounds = if test_mode() { 3 } else { 300 };
    let n = if test_mode() { 16 } else { N };
    let mut snapshot = Snapshot::new(n);
    let mut plain = snapshot.pair(Keep::Plain);
    println!();
    println!("Paired at n = {n} ({rounds} rounds each; medians; ratio = stored / plain):");
    println!();
    println!(
        "| kept in | commit plain | commit stored | ratio | process plain | process stored | ratio |"
    );
    println!("|---|---|---|---|---|---|---|");
    for keep in Keep::STORED {
        let mut stored = snapshot.pair(keep);
        let (plain_times, stored_times) = pair_up(rounds, |is_stored| {
            if is_stored {
                stored.timed_epoch()
            } else {
                plain.timed_epoch()
            }
        });
        let split = |times: Vec<(Duration, Duration)>| -> (f64, f64) {
            let (commit, process): (Vec<_>, Vec<_>) = times.into_iter().unzip();
            (median_us(commit), median_us(process))
        };
        let (plain_commit, plain_process) = split(plain_times);
        let (stored_commit, stored_process) = split(stored_times);
        println!(
            "| {} | {plain_commit:.1} µs | {stored_commit:.1} µs | {:.2} | {plain_process:.1} µs | {stored_process:.1} µs | {:.2} |",
            &keep.suffix()["_stored_".len()..],
            stored_commit / plain_commit,
            stored_process / plain_process,
        );
    }
    println!();
}

/// Part 3: the criterion group `storage_n1000`.
fn timed(c: &mut Criterion) {
    let mut snapshot = Snapshot::new(if test_mode() { 16 } else { N });
    let keeps = [
        Keep::Plain,
        Keep::Memory,
        Keep::Sqlite(Synchronous::Full),
        Keep::Sqlite(Synchronous::Normal),
        Keep::Sqlite(Synchronous::Off),
    ];
    let mut pairs: Vec<(Keep, Pair)> = keeps
        .into_iter()
        .map(|keep| (keep, snapshot.pair(keep)))
        .collect();

    let mut group = c.benchmark_group("storage_n1000");
    // The sender commits and merges in the setup (not measured); the receiver processes.
    for (keep, pair) in &mut pairs {
        let name = format!("process_update{}", keep.suffix());
        let Pair {
            sender,
            receiver,
            rng,
        } = pair;
        group.bench_function(name, |b| {
            b.iter_batched(
                || commit(sender, rng),
                |commit| process(receiver, &commit),
                BatchSize::PerIteration,
            )
        });
    }
    // What a write costs when nothing but the log position changed: the comparison of every
    // node with the store's (O(n), no encoding), the state record encoded and sealed, and the
    // memory store's apply. The receiver is not used after this.
    for (keep, pair) in &mut pairs {
        if *keep != Keep::Memory {
            continue;
        }
        let receiver = &mut pair.receiver;
        group.bench_function("persist_unchanged_stored_memory", |b| {
            b.iter(|| {
                let next = receiver.log_position() + 1;
                receiver.set_log_position(next).expect("set position")
            })
        });
    }
    // Last, as it moves the senders on alone.
    for (keep, pair) in &mut pairs {
        let name = format!("commit_update{}", keep.suffix());
        group.bench_function(name, |b| b.iter(|| commit(&mut pair.sender, &mut pair.rng)));
    }
    // One small record in one SQLite transaction: the disk's floor under a stored commit.
    for synchronous in [Synchronous::Full, Synchronous::Normal, Synchronous::Off] {
        let keep = Keep::Sqlite(synchronous);
        let mut store = sqlite(
            &snapshot.dir,
            &format!("floor{}.db", keep.suffix()),
            synchronous,
        );
        let mut generation = 0u64;
        let name = format!("sqlite_floor{}", &keep.suffix()["_stored_sqlite".len()..]);
        group.bench_function(name, |b| {
            b.iter(|| {
                generation += 1;
                let mut transaction = Transaction::new();
                transaction.put(
                    RecordKey::new(b"floor".to_vec(), RecordKind::GroupState, 0),
                    Record {
                        suite: 0xF001,
                        epoch: generation,
                        generation,
                        body: vec![0x5a; 64],
                    },
                );
                store.apply(black_box(&transaction)).expect("apply")
            })
        });
    }
    // What SQLite itself costs for the records an update at n = 1000 writes, with none of the
    // group's work: a store laid out like a group of 1000 (a state record, 2047 node records,
    // a past epoch), and a transaction that replaces the state, a leaf and its 10 ancestors
    // and the past epoch with bodies of their sizes, scrubbed like a commit's. The floor a
    // stored commit cannot go under on this disk.
    for (synchronous, label) in [(Synchronous::Full, "full"), (Synchronous::Off, "off")] {
        let mut store = sqlite(
            &snapshot.dir,
            &format!("floor_update_{label}.db"),
            synchronous,
        );
        let record = |generation: u64, len: usize| Record {
            suite: 0xF001,
            epoch: generation,
            generation,
            body: (0..len)
                .map(|i| {
                    (i as u64)
                        .wrapping_mul(0x9e37_79b9)
                        .wrapping_add(generation) as u8
                })
                .collect(),
        };
        let mut fill = Transaction::new();
        fill.put(
            RecordKey::new(b"floor".to_vec(), RecordKind::GroupState, 0),
            record(0, 982),
        );
        for node in 0..2047u64 {
            let len = if node % 2 == 0 { 215 } else { 62 };
            fill.put(
                RecordKey::new(b"floor".to_vec(), RecordKind::TreeNode, node),
                record(0, len),
            );
        }
        fill.put(
            RecordKey::new(b"floor".to_vec(), RecordKind::PastEpoch, 0),
            record(0, 205),
        );
        store.apply(&fill).expect("fill");
        let mut generation = 0u64;
        group.bench_function(format!("sqlite_floor_update_records_{label}"), |b| {
            b.iter(|| {
                generation += 1;
                let leaf = (generation * 389) % 1000;
                let mut transaction = Transaction::new();
                transaction.put(
                    RecordKey::new(b"floor".to_vec(), RecordKind::GroupState, 0),
                    record(generation, 982),
                );
                for level in 0..11u64 {
                    let node = ((leaf >> level) << (level + 1)) + (1 << level) - 1;
                    let len = if level == 0 { 215 } else { 62 };
                    transaction.put(
                        RecordKey::new(b"floor".to_vec(), RecordKind::TreeNode, node),
                        record(generation, len),
                    );
                }
                transaction.put(
                    RecordKey::new(b"floor".to_vec(), RecordKind::PastEpoch, generation),
                    record(generation, 205),
                );
                transaction.delete(RecordKey::new(
                    b"floor".to_vec(),
                    RecordKind::PastEpoch,
                    generation - 1,
                ));
                transaction.scrub_replaced();
                store.apply(black_box(&transaction)).expect("apply")
            })
        });
    }
    // The disk alone: 4 KiB written over the start of a file and synced.
    let mut file = std::fs::File::create(snapshot.dir.path().join("fsync.bin")).expect("create");
    let page = vec![0x5au8; 4096];
    group.bench_function("fsync_4KiB", |b| {
        b.iter(|| {
            file.seek(SeekFrom::Start(0)).expect("seek");
            file.write_all(&page).expect("write");
            file.sync_data().expect("sync")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = table, paired, timed
}
criterion_main!(benches);
