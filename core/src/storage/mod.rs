//! Durable state: a small interface to a record store, and the group state kept in it.
//!
//! A device keeps its groups, its unused KeyPackages and the position it has read up to in each
//! group's log in one [`Store`]. The store sees records only: a key (a scope, a kind and an
//! index), a little clear metadata (suite, epoch, generation) and a body that the library seals
//! with the application's [`StorageKey`] before the store sees it. An engine (SQLite in the
//! `artmls-sqlite` crate, [`MemoryStore`] here) only has to keep records and apply a
//! [`Transaction`] all at once or not at all.
//!
//! How a group is laid out in records, and why a commit rewrites only O(log n) of them, is in
//! `docs/storage.md`.

mod memory;
pub(crate) mod sealing;
#[cfg(feature = "test-suite")]
pub mod test_suite;

pub use memory::MemoryStore;
pub use sealing::StorageKey;

/// What a record holds. The numbers are the ones stores write to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RecordKind {
    /// A member's state in a group apart from the tree: context, own path secrets, epoch
    /// secrets, secret tree, signing key, settings, log position. Index 0, scope the group id.
    GroupState,
    /// One node of a group's public tree, indexed by node index; a leaf's record also holds the
    /// member's LeafNode. Scope the group id.
    TreeNode,
    /// A past epoch kept so late application messages still decrypt, indexed by epoch number.
    /// Scope the group id.
    PastEpoch,
    /// An unused KeyPackage with its private keys. Scope the KeyPackage reference, index 0.
    KeyPackage,
}

impl RecordKind {
    /// Every kind, in the order of their codes.
    pub const ALL: [RecordKind; 4] = [
        RecordKind::GroupState,
        RecordKind::TreeNode,
        RecordKind::PastEpoch,
        RecordKind::KeyPackage,
    ];

    /// The number a store writes for this kind.
    pub fn code(self) -> u8 {
        match self {
            RecordKind::GroupState => 1,
            RecordKind::TreeNode => 2,
            RecordKind::PastEpoch => 3,
            RecordKind::KeyPackage => 4,
        }
    }

    /// The kind a store's number stands for, if any.
    pub fn from_code(code: u8) -> Option<Self> {
        RecordKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// A short name, for listings.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::GroupState => "group state",
            RecordKind::TreeNode => "tree node",
            RecordKind::PastEpoch => "past epoch",
            RecordKind::KeyPackage => "key package",
        }
    }
}

/// Where a record lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey {
    /// The group id, or for a KeyPackage its reference.
    pub scope: Vec<u8>,
    /// What the record holds.
    pub kind: RecordKind,
    /// The node index, the epoch, or 0.
    pub index: u64,
}

impl RecordKey {
    /// A key from its parts.
    pub fn new(scope: impl Into<Vec<u8>>, kind: RecordKind, index: u64) -> Self {
        RecordKey {
            scope: scope.into(),
            kind,
            index,
        }
    }
}

/// A record as a store keeps it. The metadata is in the clear (an inspector lists it without
/// the key); the body is sealed, and its associated data binds the key and the metadata, so a
/// record moved to another key or given other metadata does not open.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    /// The cipher suite of the group or KeyPackage (its RFC 9420 number).
    pub suite: u16,
    /// The group's epoch when the record was written (0 for a KeyPackage).
    pub epoch: u64,
    /// The group's write counter when the record was written: one more for every
    /// transaction of the group.
    pub generation: u64,
    /// The sealed body.
    pub body: Vec<u8>,
}

impl core::fmt::Debug for Record {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The body is sealed, but with a plaintext key it is not: its length only.
        f.debug_struct("Record")
            .field("suite", &self.suite)
            .field("epoch", &self.epoch)
            .field("generation", &self.generation)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// One change in a [`Transaction`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Writes the record, replacing any at that key.
    Put(RecordKey, Record),
    /// Deletes the record at that key, if there is one.
    Delete(RecordKey),
    /// Deletes every record of the scope and kind whose index is at least `from`.
    DeleteFrom {
        /// The scope.
        scope: Vec<u8>,
        /// The kind.
        kind: RecordKind,
        /// The first index deleted.
        from: u64,
    },
}

/// Changes a store applies together: after a crash, either all of them are in the store or
/// none is. They apply in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transaction {
    operations: Vec<Operation>,
    scrub: bool,
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Self {
        Transaction::default()
    }

    /// Writes a record.
    pub fn put(&mut self, key: RecordKey, record: Record) {
        self.operations.push(Operation::Put(key, record));
    }

    /// Deletes a record.
    pub fn delete(&mut self, key: RecordKey) {
        self.operations.push(Operation::Delete(key));
    }

    /// Deletes the records of a scope and kind from an index on.
    pub fn delete_from(&mut self, scope: &[u8], kind: RecordKind, from: u64) {
        self.operations.push(Operation::DeleteFrom {
            scope: scope.to_vec(),
            kind,
            from,
        });
    }

    /// Asks the engine to make what this transaction replaces or deletes unreadable in its
    /// files before [`Store::apply`] returns, not just unreachable: the group asks when
    /// secrets leave for good (an epoch is left, a past epoch leaves the window, a KeyPackage
    /// is used, a group is deleted).
    pub fn scrub_replaced(&mut self) {
        self.scrub = true;
    }

    /// Whether the engine must scrub what this transaction replaces or deletes.
    pub fn scrubs(&self) -> bool {
        self.scrub
    }

    /// The changes, in order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The bytes of record bodies this transaction writes.
    pub fn bytes_written(&self) -> usize {
        self.operations
            .iter()
            .map(|operation| match operation {
                Operation::Put(_, record) => record.body.len(),
                _ => 0,
            })
            .sum()
    }
}

/// What a store says about itself, for an inspector.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreInfo {
    /// The engine, such as "sqlite" or "memory".
    pub engine: &'static str,
    /// The schema version of the data.
    pub schema_version: u32,
    /// The bytes the store occupies, where it knows them.
    pub size_bytes: Option<u64>,
}

impl StoreInfo {
    /// A description of a store.
    pub fn new(engine: &'static str, schema_version: u32, size_bytes: Option<u64>) -> Self {
        StoreInfo {
            engine,
            schema_version,
            size_bytes,
        }
    }
}

/// A place that keeps records: the one thing a storage engine implements.
///
/// Synchronous like the rest of the API; an asynchronous application calls it from a blocking
/// task. An implementation must apply a [`Transaction`] atomically and durably before
/// [`Store::apply`] returns: the group writes every state change as one transaction, and
/// relies on finding either the state before it or the state after it after a crash. When the
/// transaction [scrubs](Transaction::scrubs), what it replaced or deleted must also be gone
/// from the engine's files (overwritten, not just unlinked) when `apply` returns.
pub trait Store: Send {
    /// The record at `key`.
    fn get(&self, key: &RecordKey) -> Result<Option<Record>, StoreError>;

    /// Every record of a scope and kind, by increasing index.
    fn scan(&self, scope: &[u8], kind: RecordKind) -> Result<Vec<(u64, Record)>, StoreError>;

    /// The scopes that hold at least one record of `kind`, in increasing order.
    fn scopes(&self, kind: RecordKind) -> Result<Vec<Vec<u8>>, StoreError>;

    /// Applies every change of the transaction, or none.
    fn apply(&mut self, transaction: &Transaction) -> Result<(), StoreError>;

    /// The engine, schema version and size.
    fn info(&self) -> Result<StoreInfo, StoreError>;
}

/// Why a store, or a record in it, could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process (or connection) holds the store. Close it there, or wait and retry.
    #[error("the store is in use by another process")]
    Locked,
    /// The store was written by a newer version of this library. Upgrade; this version will
    /// not touch it.
    #[error("the store has schema version {found}; this library reads up to {supported}")]
    NewerSchema {
        /// The store's version.
        found: u32,
        /// The newest version this library knows.
        supported: u32,
    },
    /// The store's own structure is damaged (not a record that fails to open: see
    /// [`StoreError::Tampered`]).
    #[error("the store is damaged: {0}")]
    Corrupt(String),
    /// The engine failed (I/O, a full disk, ...). The transaction was not applied, unless
    /// the message says it was committed and only a step after the commit failed.
    #[error("the storage engine failed: {0}")]
    Engine(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A record did not open with the storage key: it was changed, moved from another key,
    /// or the key is wrong. Nothing of it was used.
    #[error(
        "the {kind:?} record {index} of scope {scope} does not open: tampered with, moved, or another storage key"
    )]
    Tampered {
        /// The scope, in hex.
        scope: String,
        /// The kind.
        kind: RecordKind,
        /// The index.
        index: u64,
    },
    /// The records of a group do not fit together: one is missing, older than the others, or
    /// left over. The store was changed outside this library, or rolled back in part.
    #[error("the records of group {scope} do not fit together: {reason}")]
    Inconsistent {
        /// The group id, in hex.
        scope: String,
        /// What does not fit.
        reason: &'static str,
    },
    /// There is no such group, or no KeyPackage for a Welcome, in the store.
    #[error("not in the store: {0}")]
    NotFound(&'static str),
    /// The group is in the store already; load it instead of writing it anew.
    #[error("the group is in the store already")]
    AlreadyStored,
    /// A write failed earlier, so the group in memory is ahead of its store. Load it again
    /// from the store.
    #[error("a write to the store failed; load the group again from the store")]
    Unsynced,
}

/// A store with the key its records are sealed with: what groups are loaded from and written
/// to. Share it between the groups of a device as a [`SharedStorage`].
pub struct Storage {
    store: Box<dyn Store>,
    key: StorageKey,
}

impl core::fmt::Debug for Storage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Storage")
            .field("engine", &self.store.info().map(|info| info.engine).ok())
            .field("key", &self.key)
            .finish()
    }
}

impl Storage {
    /// A store and its key.
    pub fn new(store: impl Store + 'static, key: StorageKey) -> Self {
        Storage::from_boxed(Box::new(store), key)
    }

    /// A boxed store and its key.
    pub fn from_boxed(store: Box<dyn Store>, key: StorageKey) -> Self {
        Storage { store, key }
    }

    /// Shares it between the groups of a device.
    pub fn into_shared(self) -> SharedStorage {
        SharedStorage(std::sync::Arc::new(std::sync::Mutex::new(self)))
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The store, to change records behind the library's back (tests that tamper do).
    pub fn store_mut(&mut self) -> &mut dyn Store {
        self.store.as_mut()
    }

    pub(crate) fn key(&self) -> &StorageKey {
        &self.key
    }

    /// What the store holds, with no secret: every group's id, suite, epoch, write count,
    /// record counts and sizes, and how many KeyPackages wait for a Welcome.
    pub fn summary(&self) -> Result<StoreSummary, StoreError> {
        let mut groups = Vec::new();
        for group_id in self.store.scopes(RecordKind::GroupState)? {
            let state = self
                .store
                .get(&RecordKey::new(
                    group_id.as_slice(),
                    RecordKind::GroupState,
                    0,
                ))?
                .ok_or(StoreError::NotFound("a listed group"))?;
            let nodes = self.store.scan(&group_id, RecordKind::TreeNode)?;
            let past = self.store.scan(&group_id, RecordKind::PastEpoch)?;
            let bytes = state.body.len()
                + nodes.iter().map(|(_, r)| r.body.len()).sum::<usize>()
                + past.iter().map(|(_, r)| r.body.len()).sum::<usize>();
            groups.push(StoredGroupSummary {
                group_id,
                suite: state.suite,
                epoch: state.epoch,
                generation: state.generation,
                tree_nodes: nodes.len(),
                past_epochs: past.iter().map(|(epoch, _)| *epoch).collect(),
                bytes,
            });
        }
        Ok(StoreSummary {
            info: self.store.info()?,
            groups,
            key_packages: self.store.scopes(RecordKind::KeyPackage)?.len(),
        })
    }

    /// Applies a transaction to the store.
    pub(crate) fn apply(&mut self, transaction: &Transaction) -> Result<(), StoreError> {
        self.store.apply(transaction)
    }
}

/// A [`Storage`] shared by the groups of a device; cloning it shares the same store.
#[derive(Clone, Debug)]
pub struct SharedStorage(std::sync::Arc<std::sync::Mutex<Storage>>);

impl SharedStorage {
    /// The storage, locked for this thread. A panic while it was locked poisons it: the
    /// store may then be ahead of the groups in memory, which must be loaded again.
    pub fn lock(&self) -> Result<std::sync::MutexGuard<'_, Storage>, StoreError> {
        self.0.lock().map_err(|_| StoreError::Unsynced)
    }
}

/// What a store holds, with no secret (see [`Storage::summary`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreSummary {
    /// The engine, schema version and size.
    pub info: StoreInfo,
    /// Every group.
    pub groups: Vec<StoredGroupSummary>,
    /// KeyPackages waiting for a Welcome.
    pub key_packages: usize,
}

/// One group in a store, with no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredGroupSummary {
    /// The group id.
    pub group_id: Vec<u8>,
    /// The suite's number.
    pub suite: u16,
    /// The epoch of the stored state.
    pub epoch: u64,
    /// How many transactions wrote the group.
    pub generation: u64,
    /// Tree node records.
    pub tree_nodes: usize,
    /// The past epochs kept.
    pub past_epochs: Vec<u64>,
    /// The bytes of all its record bodies.
    pub bytes: usize,
}

/// Lower-case hex, for errors and listings.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
