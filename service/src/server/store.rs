//! The database behind the server: what it keeps, and the operations the routes need, each
//! one transaction. Two engines implement them ([`super::sqlite`], [`super::postgres`]); the
//! ordering rules (one total order per group, one commit per epoch) are enforced by the
//! database in both, so several server processes on one PostgreSQL database agree.

use thiserror::Error;

use crate::api::LogEntry;

use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;

/// The database failed; the request changed nothing.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// A stored number is out of range (negative, or too large for its type): the database
    /// holds what this server never wrote.
    #[error("the stored number {0} is out of range")]
    OutOfRange(String),
    /// A number asked for (a position, an epoch) is beyond the database's signed 64-bit
    /// integers, so no entry can have it: the request is at fault, not the database.
    #[error("{0} is beyond any position or epoch the database can hold")]
    BeyondRange(u64),
    /// A database task panicked or was cancelled, or a lock was poisoned by a panic.
    #[error("database task failed: {0}")]
    Task(String),
}

/// A u64 as the database stores it.
pub(crate) fn to_db(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::BeyondRange(value))
}

/// A stored integer as the u64 it was.
pub(crate) fn from_db(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::OutOfRange(value.to_string()))
}

/// A KeyPackage that checked out, to be filed.
#[derive(Debug, Clone)]
pub(crate) struct NewKeyPackage {
    pub(crate) identity: Vec<u8>,
    pub(crate) signature_key: Vec<u8>,
    pub(crate) suite: u16,
    pub(crate) reference: Vec<u8>,
    pub(crate) body: Vec<u8>,
}

/// What filing a KeyPackage did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Published {
    /// Filed; the owner now has this many unclaimed ones of this suite.
    Filed { available: u64 },
    /// The identity's first KeyPackage pinned another signature key: nothing was filed.
    PinnedToAnotherKey,
}

/// A group as the database holds it.
#[derive(Debug, Clone)]
pub(crate) struct GroupRow {
    pub(crate) suite: u16,
    /// The GroupInfo the group was created from (its public state at `first_epoch`).
    pub(crate) group_info: Vec<u8>,
    /// The epoch of that GroupInfo: the log's first entry is in this epoch.
    pub(crate) first_epoch: u64,
}

/// A message to append to its group's log.
#[derive(Debug, Clone)]
pub(crate) struct NewMessage {
    pub(crate) group_id: Vec<u8>,
    pub(crate) epoch: u64,
    pub(crate) is_commit: bool,
    /// SHA-256 of `body`: the same bytes twice in a log are a replay.
    pub(crate) digest: Vec<u8>,
    pub(crate) body: Vec<u8>,
}

/// What appending a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Appended {
    /// In the log at `position`.
    Accepted { position: u64 },
    /// The group is at epoch `current`, not the message's: nothing was written.
    WrongEpoch { current: u64 },
    /// The same bytes are in the log already.
    Duplicate,
    /// No such group.
    UnknownGroup,
}

/// Where the log entries of an epoch start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EpochStart {
    /// At this position.
    At(u64),
    /// The group has not reached the epoch; it is at `current`.
    NotReached { current: u64 },
    /// No such group.
    UnknownGroup,
}

/// How much the database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) groups: u64,
    pub(crate) messages: u64,
    pub(crate) key_packages: u64,
}

/// The database: one of the two engines.
#[derive(Debug)]
pub(crate) enum Database {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Database {
    /// `"sqlite"` or `"postgres"`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    /// Files a KeyPackage, pinning its identity's signature key on the identity's first one.
    pub(crate) async fn publish_key_package(
        &self,
        key_package: NewKeyPackage,
    ) -> Result<Published, StoreError> {
        match self {
            Database::Sqlite(store) => store.publish_key_package(key_package).await,
            Database::Postgres(store) => store.publish_key_package(key_package).await,
        }
    }

    /// Takes the oldest unclaimed KeyPackage of `identity` in `suite` out of the database.
    pub(crate) async fn claim_key_package(
        &self,
        identity: Vec<u8>,
        suite: u16,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Database::Sqlite(store) => store.claim_key_package(identity, suite).await,
            Database::Postgres(store) => store.claim_key_package(identity, suite).await,
        }
    }

    /// Registers a group at `epoch` with an empty log; false if the id is taken.
    pub(crate) async fn create_group(
        &self,
        group_id: Vec<u8>,
        row: GroupRow,
    ) -> Result<bool, StoreError> {
        match self {
            Database::Sqlite(store) => store.create_group(group_id, row).await,
            Database::Postgres(store) => store.create_group(group_id, row).await,
        }
    }

    /// The group, if it exists.
    pub(crate) async fn group(&self, group_id: Vec<u8>) -> Result<Option<GroupRow>, StoreError> {
        match self {
            Database::Sqlite(store) => store.group(group_id).await,
            Database::Postgres(store) => store.group(group_id).await,
        }
    }

    /// Appends a message to its group's log if it is for the group's current epoch and not
    /// there already; a commit moves the group to the next epoch.
    pub(crate) async fn append(&self, message: NewMessage) -> Result<Appended, StoreError> {
        match self {
            Database::Sqlite(store) => store.append(message).await,
            Database::Postgres(store) => store.append(message).await,
        }
    }

    /// At most `limit` log entries from position `from`, in order.
    pub(crate) async fn entries(
        &self,
        group_id: Vec<u8>,
        from: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>, StoreError> {
        match self {
            Database::Sqlite(store) => store.entries(group_id, from, limit).await,
            Database::Postgres(store) => store.entries(group_id, from, limit).await,
        }
    }

    /// The position of the first entry of `epoch`.
    pub(crate) async fn epoch_start(
        &self,
        group_id: Vec<u8>,
        epoch: u64,
    ) -> Result<EpochStart, StoreError> {
        match self {
            Database::Sqlite(store) => store.epoch_start(group_id, epoch).await,
            Database::Postgres(store) => store.epoch_start(group_id, epoch).await,
        }
    }

    /// For each reference, the identity of the KeyPackage it names if the server handed that
    /// KeyPackage out (claimed), else None.
    pub(crate) async fn claimed_owners(
        &self,
        references: Vec<Vec<u8>>,
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        match self {
            Database::Sqlite(store) => store.claimed_owners(references).await,
            Database::Postgres(store) => store.claimed_owners(references).await,
        }
    }

    /// Queues a Welcome for each of `recipients`.
    pub(crate) async fn queue_welcome(
        &self,
        group_id: Vec<u8>,
        welcome: Vec<u8>,
        recipients: Vec<Vec<u8>>,
    ) -> Result<(), StoreError> {
        match self {
            Database::Sqlite(store) => store.queue_welcome(group_id, welcome, recipients).await,
            Database::Postgres(store) => store.queue_welcome(group_id, welcome, recipients).await,
        }
    }

    /// Takes every Welcome queued for `identity`, oldest first, as (group id, Welcome).
    pub(crate) async fn claim_welcomes(
        &self,
        identity: Vec<u8>,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        match self {
            Database::Sqlite(store) => store.claim_welcomes(identity).await,
            Database::Postgres(store) => store.claim_welcomes(identity).await,
        }
    }

    /// How much the database holds.
    pub(crate) async fn counts(&self) -> Result<Counts, StoreError> {
        match self {
            Database::Sqlite(store) => store.counts().await,
            Database::Postgres(store) => store.counts().await,
        }
    }
}
