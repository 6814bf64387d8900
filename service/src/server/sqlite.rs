//! The SQLite engine: one connection to a file in WAL mode, used from blocking tasks.
//!
//! Each operation is one `BEGIN IMMEDIATE` transaction, so it holds SQLite's write lock from
//! its first read: the epoch it checks is the epoch it writes after, even with another
//! process on the same file.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::api::{Bytes, LogEntry};

use super::store::{
    Appended, Counts, EpochStart, GroupRow, NewKeyPackage, NewMessage, Published, StoreError,
    from_db, to_db,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS identities (
    identity BLOB PRIMARY KEY,
    signature_key BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS key_packages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity BLOB NOT NULL,
    suite INTEGER NOT NULL,
    reference BLOB NOT NULL UNIQUE,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS key_packages_owner ON key_packages (identity, suite, id);
CREATE TABLE IF NOT EXISTS key_package_refs (
    reference BLOB PRIMARY KEY,
    identity BLOB NOT NULL,
    claimed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS groups (
    group_id BLOB PRIMARY KEY,
    suite INTEGER NOT NULL,
    group_info BLOB NOT NULL,
    first_epoch INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    next_position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    group_id BLOB NOT NULL,
    position INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    is_commit INTEGER NOT NULL,
    digest BLOB NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (group_id, position),
    UNIQUE (group_id, digest)
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_one_commit_per_epoch
    ON messages (group_id, epoch) WHERE is_commit;
CREATE TABLE IF NOT EXISTS welcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity BLOB NOT NULL,
    group_id BLOB NOT NULL,
    welcome BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS welcomes_identity ON welcomes (identity, id);
";

/// The SQLite database of one server.
#[derive(Debug, Clone)]
pub(crate) struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (or creates) the database file and its tables.
    pub(crate) async fn open(path: &Path) -> Result<Self, StoreError> {
        let path = path.to_owned();
        let connection = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            let connection = Connection::open(path)?;
            // Another process may hold the write lock for a moment.
            connection.busy_timeout(Duration::from_secs(5))?;
            connection.pragma_update(None, "journal_mode", "WAL")?;
            // An accepted message is on disk before the client hears 201.
            connection.pragma_update(None, "synchronous", "FULL")?;
            connection.execute_batch(SCHEMA)?;
            Ok(connection)
        })
        .await
        .map_err(|error| StoreError::Task(error.to_string()))??;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the connection in a blocking task.
    async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection
                .lock()
                .map_err(|_| StoreError::Task("the connection lock is poisoned".into()))?;
            work(&mut connection)
        })
        .await
        .map_err(|error| StoreError::Task(error.to_string()))?
    }

    pub(crate) async fn publish_key_package(
        &self,
        key_package: NewKeyPackage,
    ) -> Result<Published, StoreError> {
        self.run(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO identities (identity, signature_key) VALUES (?1, ?2)
                 ON CONFLICT (identity) DO NOTHING",
                params![key_package.identity, key_package.signature_key],
            )?;
            let pinned: Vec<u8> = tx.query_row(
                "SELECT signature_key FROM identities WHERE identity = ?1",
                params![key_package.identity],
                |row| row.get(0),
            )?;
            if pinned != key_package.signature_key {
                return Ok(Published::PinnedToAnotherKey);
            }
            tx.execute(
                "INSERT INTO key_packages (identity, suite, reference, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (reference) DO NOTHING",
                params![
                    key_package.identity,
                    key_package.suite,
                    key_package.reference,
                    key_package.body
                ],
            )?;
            tx.execute(
                "INSERT INTO key_package_refs (reference, identity) VALUES (?1, ?2)
                 ON CONFLICT (reference) DO NOTHING",
                params![key_package.reference, key_package.identity],
            )?;
            let available: i64 = tx.query_row(
                "SELECT COUNT(*) FROM key_packages WHERE identity = ?1 AND suite = ?2",
                params![key_package.identity, key_package.suite],
                |row| row.get(0),
            )?;
            tx.commit()?;
            Ok(Published::Filed {
                available: from_db(available)?,
            })
        })
        .await
    }

    pub(crate) async fn claim_key_package(
        &self,
        identity: Vec<u8>,
        suite: u16,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let oldest: Option<(i64, Vec<u8>, Vec<u8>)> = tx
                .query_row(
                    "SELECT id, reference, body FROM key_packages
                     WHERE identity = ?1 AND suite = ?2 ORDER BY id LIMIT 1",
                    params![identity, suite],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let Some((id, reference, body)) = oldest else {
                return Ok(None);
            };
            tx.execute("DELETE FROM key_packages WHERE id = ?1", params![id])?;
            tx.execute(
                "UPDATE key_package_refs SET claimed = 1 WHERE reference = ?1",
                params![reference],
            )?;
            tx.commit()?;
            Ok(Some(body))
        })
        .await
    }

    pub(crate) async fn create_group(
        &self,
        group_id: Vec<u8>,
        row: GroupRow,
    ) -> Result<bool, StoreError> {
        self.run(move |connection| {
            let epoch = to_db(row.first_epoch)?;
            let inserted = connection.execute(
                "INSERT INTO groups (group_id, suite, group_info, first_epoch, epoch, next_position)
                 VALUES (?1, ?2, ?3, ?4, ?4, 0) ON CONFLICT (group_id) DO NOTHING",
                params![group_id, row.suite, row.group_info, epoch],
            )?;
            Ok(inserted == 1)
        })
        .await
    }

    pub(crate) async fn group(&self, group_id: Vec<u8>) -> Result<Option<GroupRow>, StoreError> {
        self.run(move |connection| {
            let row: Option<(u16, Vec<u8>, i64)> = connection
                .query_row(
                    "SELECT suite, group_info, first_epoch FROM groups WHERE group_id = ?1",
                    params![group_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            row.map(|(suite, group_info, first_epoch)| {
                Ok(GroupRow {
                    suite,
                    group_info,
                    first_epoch: from_db(first_epoch)?,
                })
            })
            .transpose()
        })
        .await
    }

    pub(crate) async fn append(&self, message: NewMessage) -> Result<Appended, StoreError> {
        self.run(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let group: Option<(i64, i64)> = tx
                .query_row(
                    "SELECT epoch, next_position FROM groups WHERE group_id = ?1",
                    params![message.group_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((epoch, position)) = group else {
                return Ok(Appended::UnknownGroup);
            };
            let current = from_db(epoch)?;
            if current != message.epoch {
                return Ok(Appended::WrongEpoch { current });
            }
            let replay = tx
                .query_row(
                    "SELECT 1 FROM messages WHERE group_id = ?1 AND digest = ?2",
                    params![message.group_id, message.digest],
                    |_| Ok(()),
                )
                .optional()?;
            if replay.is_some() {
                return Ok(Appended::Duplicate);
            }
            tx.execute(
                "INSERT INTO messages (group_id, position, epoch, is_commit, digest, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    message.group_id,
                    position,
                    epoch,
                    message.is_commit,
                    message.digest,
                    message.body
                ],
            )?;
            tx.execute(
                "UPDATE groups SET next_position = next_position + 1, epoch = epoch + ?2
                 WHERE group_id = ?1",
                params![message.group_id, i64::from(message.is_commit)],
            )?;
            tx.commit()?;
            Ok(Appended::Accepted {
                position: from_db(position)?,
            })
        })
        .await
    }

    pub(crate) async fn entries(
        &self,
        group_id: Vec<u8>,
        from: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>, StoreError> {
        self.run(move |connection| {
            let from = to_db(from)?;
            let limit = to_db(limit as u64)?;
            let mut statement = connection.prepare_cached(
                "SELECT position, epoch, is_commit, body FROM messages
                 WHERE group_id = ?1 AND position >= ?2 ORDER BY position LIMIT ?3",
            )?;
            let rows = statement.query_map(params![group_id, from, limit], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, Vec<u8>>(3)?,
                ))
            })?;
            let mut entries = Vec::new();
            for row in rows {
                let (position, epoch, commit, body) = row?;
                entries.push(LogEntry {
                    position: from_db(position)?,
                    epoch: from_db(epoch)?,
                    commit,
                    message: Bytes(body),
                });
            }
            Ok(entries)
        })
        .await
    }

    pub(crate) async fn epoch_start(
        &self,
        group_id: Vec<u8>,
        epoch: u64,
    ) -> Result<EpochStart, StoreError> {
        self.run(move |connection| {
            let group: Option<(i64, i64)> = connection
                .query_row(
                    "SELECT first_epoch, epoch FROM groups WHERE group_id = ?1",
                    params![group_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((first, current)) = group else {
                return Ok(EpochStart::UnknownGroup);
            };
            let (first, current) = (from_db(first)?, from_db(current)?);
            if epoch > current {
                return Ok(EpochStart::NotReached { current });
            }
            if epoch <= first {
                return Ok(EpochStart::At(0));
            }
            // The entry after the commit that ended the epoch before.
            let commit: i64 = connection.query_row(
                "SELECT position FROM messages WHERE group_id = ?1 AND epoch = ?2 AND is_commit",
                params![group_id, to_db(epoch - 1)?],
                |row| row.get(0),
            )?;
            Ok(EpochStart::At(from_db(commit)? + 1))
        })
        .await
    }

    pub(crate) async fn claimed_owners(
        &self,
        references: Vec<Vec<u8>>,
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.run(move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT identity FROM key_package_refs WHERE reference = ?1 AND claimed",
            )?;
            let mut owners = Vec::with_capacity(references.len());
            for reference in references {
                owners.push(
                    statement
                        .query_row(params![reference], |row| row.get(0))
                        .optional()?,
                );
            }
            Ok(owners)
        })
        .await
    }

    pub(crate) async fn queue_welcome(
        &self,
        group_id: Vec<u8>,
        welcome: Vec<u8>,
        recipients: Vec<Vec<u8>>,
    ) -> Result<(), StoreError> {
        self.run(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for identity in recipients {
                tx.execute(
                    "INSERT INTO welcomes (identity, group_id, welcome) VALUES (?1, ?2, ?3)",
                    params![identity, group_id, welcome],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn claim_welcomes(
        &self,
        identity: Vec<u8>,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        self.run(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let welcomes = {
                let mut statement = tx.prepare(
                    "SELECT group_id, welcome FROM welcomes WHERE identity = ?1 ORDER BY id",
                )?;
                let rows =
                    statement.query_map(params![identity], |row| Ok((row.get(0)?, row.get(1)?)))?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            tx.execute(
                "DELETE FROM welcomes WHERE identity = ?1",
                params![identity],
            )?;
            tx.commit()?;
            Ok(welcomes)
        })
        .await
    }

    pub(crate) async fn counts(&self) -> Result<Counts, StoreError> {
        self.run(|connection| {
            let count = |table: &str| -> Result<u64, StoreError> {
                let n: i64 =
                    connection.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                        row.get(0)
                    })?;
                from_db(n)
            };
            Ok(Counts {
                groups: count("groups")?,
                messages: count("messages")?,
                key_packages: count("key_packages")?,
            })
        })
        .await
    }
}
