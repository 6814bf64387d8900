#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use artmls::storage::{
    Operation, Record, RecordKey, RecordKind, Store, StoreError, StoreInfo, Transaction,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

/// The schema version this library writes, and the newest it reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The steps from one schema version to the next: step `i` takes a database from version `i`
/// to version `i + 1`. Version 0 is an empty file. A new version appends a step here and never
/// edits an old one, since databases in the field went through the old steps as they were.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the one table of records. `idx` is the u64 index with its top bit flipped, so that
    // SQLite's signed integer order is the unsigned order of the index (see `index_to_sql`).
    // `epoch` and `generation` are the u64 values' bits read as i64: only stored, never ordered.
    // WITHOUT ROWID: the primary key is the only way records are looked up, so the table is
    // one b-tree keyed by it, not a rowid table plus an index holding the key a second time.
    "CREATE TABLE records (
        scope BLOB NOT NULL,
        kind INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        suite INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        body BLOB NOT NULL,
        PRIMARY KEY (scope, kind, idx)
    ) WITHOUT ROWID;",
];

/// How hard SQLite works to make a committed transaction survive a power failure
/// (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Synchronous {
    /// The WAL is synced to disk at every commit: a transaction [`Store::apply`] returned from
    /// survives a crash of the machine. The default, and the one the [`Store`] contract needs.
    #[default]
    Full,
    /// The WAL is synced at checkpoints only. After a power failure the last transactions may
    /// be lost (the database stays consistent). For benchmarks only: a group whose store lost
    /// its last commit has to be loaded again and may be out of step with its peers.
    Normal,
    /// Nothing is synced. A power failure can corrupt the database. For benchmarks only.
    Off,
}

impl Synchronous {
    fn pragma_value(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
            Synchronous::Off => "OFF",
        }
    }
}

/// Settings for [`SqliteStore::open_with`]. The defaults are the safe ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqliteOptions {
    /// How commits are synced to disk; [`Synchronous::Full`] unless you are measuring.
    pub synchronous: Synchronous,
    /// Scrub the WAL after every transaction, not only after those that ask for it
    /// ([`Transaction::scrubs`]): a spent message key is then gone from the files at once
    /// rather than at the next epoch change, for about three more disk syncs per message.
    pub scrub_every_transaction: bool,
}

/// A [`Store`] in one SQLite database file, held exclusively by this process while open.
pub struct SqliteStore {
    connection: Connection,
    path: PathBuf,
    scrub_every_transaction: bool,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating it if there is none, with the default
    /// [`SqliteOptions`].
    ///
    /// Fails with [`StoreError::Locked`] if another process has it open,
    /// [`StoreError::NewerSchema`] if a newer version of this library wrote it (the file is
    /// then left as it was), and [`StoreError::Corrupt`] if it is not a database.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, SqliteOptions::default())
    }

    /// Opens the database at `path` with the given settings; see [`SqliteStore::open`].
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        // No SQLITE_OPEN_URI: a path is a path, even one that starts with "file:".
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&path, flags).map_err(map_error)?;
        // A store held by another process is reported at once rather than waited for: the
        // other process keeps it for as long as it is open, so waiting would not help.
        connection.busy_timeout(Duration::ZERO).map_err(map_error)?;
        // The lock is taken on the first read and kept until the connection closes, so a second
        // process (or connection) cannot interleave its writes with ours: it gets `Locked`.
        // Set before anything reads the file, and before WAL mode, so the WAL index lives in
        // this process's memory and no `-shm` file is made.
        connection
            .pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(map_error)?;

        // The version is read before anything is written: a database from a newer library is
        // refused untouched. The read takes the shared lock, which exclusive mode keeps, so the
        // version cannot change between here and the migration below.
        let found = user_version(&connection)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found,
                supported: SCHEMA_VERSION,
            });
        }

        // WAL: a commit appends to the log and syncs it once, and a crash mid-commit leaves the
        // database as it was before the transaction.
        let mode: String = connection
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(map_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Engine(
                format!("SQLite would not use a write-ahead log (journal mode {mode})").into(),
            ));
        }
        // FULL: the WAL is synced at every commit, so `apply` is durable when it returns.
        connection
            .pragma_update(None, "synchronous", options.synchronous.pragma_value())
            .map_err(map_error)?;
        // Deleted and replaced records are overwritten with zeros, not only unlinked: an old
        // epoch's secrets do not stay in free space of the file after they are deleted.
        connection
            .pragma_update(None, "secure_delete", "ON")
            .map_err(map_error)?;

        let mut store = SqliteStore {
            connection,
            path,
            scrub_every_transaction: options.scrub_every_transaction,
        };
        store.migrate()?;
        store.checkpoint()?;
        Ok(store)
    }

    /// Brings the schema to [`SCHEMA_VERSION`] in one transaction, which also takes the
    /// write lock that exclusive mode then keeps until the store is dropped.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(map_error)?;
        let found = user_version(&transaction)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        for step in MIGRATIONS.iter().skip(found as usize) {
            transaction.execute_batch(step).map_err(map_error)?;
        }
        if found != SCHEMA_VERSION {
            transaction
                .pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(map_error)?;
        }
        transaction.commit().map_err(map_error)
    }

    /// Copies the WAL into the database and empties it. Without this the WAL keeps the page
    /// images of earlier transactions, secrets that were since replaced or deleted among them,
    /// until SQLite checkpoints on its own (every 1000 pages).
    fn checkpoint(&self) -> Result<(), StoreError> {
        let (busy, _log, _checkpointed): (i64, i64, i64) = self
            .connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .map_err(map_error)?;
        if busy != 0 {
            // Nothing else can hold the database while we do, so this is not expected; if it
            // happens, old records may still be in the WAL, and the caller is told.
            return Err(StoreError::Engine(
                "the transaction was committed, but the write-ahead log could not be emptied"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The files the store may write: the database, its `-wal` log and its `-journal`
    /// (rollback journal, used only while the file is not yet in WAL mode), whether they exist
    /// or not.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.path.clone()];
        for suffix in ["-wal", "-journal"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            files.push(PathBuf::from(name));
        }
        files
    }

    fn size_bytes(&self) -> Option<u64> {
        // The database and its WAL: what the store occupies on disk right now. A file that
        // does not exist (the WAL after a checkpoint truncated it, say) counts as empty.
        let mut total = 0u64;
        for file in self.files().iter().take(2) {
            match std::fs::metadata(file) {
                Ok(metadata) => total = total.saturating_add(metadata.len()),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(_) => return None,
            }
        }
        Some(total)
    }
}

impl Store for SqliteStore {
    fn get(&self, key: &RecordKey) -> Result<Option<Record>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT suite, epoch, generation, body FROM records
                 WHERE scope = ?1 AND kind = ?2 AND idx = ?3",
            )
            .map_err(map_error)?;
        statement
            .query_row(
                params![key.scope, key.kind.code(), index_to_sql(key.index)],
                |row| {
                    Ok(read_record(
                        row.get_ref(0)?,
                        row.get_ref(1)?,
                        row.get_ref(2)?,
                        row.get_ref(3)?,
                    ))
                },
            )
            .optional()
            .map_err(map_error)?
            .transpose()
    }

    fn scan(&self, scope: &[u8], kind: RecordKind) -> Result<Vec<(u64, Record)>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT idx, suite, epoch, generation, body FROM records
                 WHERE scope = ?1 AND kind = ?2 ORDER BY idx",
            )
            .map_err(map_error)?;
        let mut rows = statement
            .query(params![scope, kind.code()])
            .map_err(map_error)?;
        let mut records = Vec::new();
        while let Some(row) = rows.next().map_err(map_error)? {
            let index = index_from_sql(integer(row.get_ref(0).map_err(map_error)?, "idx")?);
            let record = read_record(
                row.get_ref(1).map_err(map_error)?,
                row.get_ref(2).map_err(map_error)?,
                row.get_ref(3).map_err(map_error)?,
                row.get_ref(4).map_err(map_error)?,
            )?;
            records.push((index, record));
        }
        Ok(records)
    }

    fn scopes(&self, kind: RecordKind) -> Result<Vec<Vec<u8>>, StoreError> {
        // SQLite orders BLOBs by memcmp and then by length, which is the order of Vec<u8>.
        let mut statement = self
            .connection
            .prepare_cached("SELECT DISTINCT scope FROM records WHERE kind = ?1 ORDER BY scope")
            .map_err(map_error)?;
        let mut rows = statement.query(params![kind.code()]).map_err(map_error)?;
        let mut scopes = Vec::new();
        while let Some(row) = rows.next().map_err(map_error)? {
            scopes.push(blob(row.get_ref(0).map_err(map_error)?, "scope")?.to_vec());
        }
        Ok(scopes)
    }

    fn apply(&mut self, transaction: &Transaction) -> Result<(), StoreError> {
        if transaction.is_empty() {
            return Ok(());
        }
        // One SQLite transaction: if any statement fails, it is dropped without a commit and
        // SQLite rolls everything back.
        let sql = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_error)?;
        for operation in transaction.operations() {
            match operation {
                Operation::Put(key, record) => {
                    let mut statement = sql
                        .prepare_cached(
                            "INSERT OR REPLACE INTO records
                             (scope, kind, idx, suite, epoch, generation, body)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        )
                        .map_err(map_error)?;
                    statement
                        .execute(params![
                            key.scope,
                            key.kind.code(),
                            index_to_sql(key.index),
                            record.suite,
                            bits_to_sql(record.epoch),
                            bits_to_sql(record.generation),
                            record.body,
                        ])
                        .map_err(map_error)?;
                }
                Operation::Delete(key) => {
                    let mut statement = sql
                        .prepare_cached(
                            "DELETE FROM records WHERE scope = ?1 AND kind = ?2 AND idx = ?3",
                        )
                        .map_err(map_error)?;
                    statement
                        .execute(params![key.scope, key.kind.code(), index_to_sql(key.index)])
                        .map_err(map_error)?;
                }
                Operation::DeleteFrom { scope, kind, from } => {
                    let mut statement = sql
                        .prepare_cached(
                            "DELETE FROM records WHERE scope = ?1 AND kind = ?2 AND idx >= ?3",
                        )
                        .map_err(map_error)?;
                    statement
                        .execute(params![scope, kind.code(), index_to_sql(*from)])
                        .map_err(map_error)?;
                }
            }
        }
        sql.commit().map_err(map_error)?;
        // The WAL holds the new pages and the database file the old ones, until a checkpoint
        // copies the new ones over the old (zeroing what they freed, with secure_delete) and
        // the WAL is truncated. That costs syncs, so it is done when the transaction asks.
        if transaction.scrubs() || self.scrub_every_transaction {
            self.checkpoint()?;
        }
        Ok(())
    }

    fn info(&self) -> Result<StoreInfo, StoreError> {
        let version = user_version(&self.connection)?;
        Ok(StoreInfo::new("sqlite", version, self.size_bytes()))
    }
}

/// The database's `PRAGMA user_version`: our schema version.
fn user_version(connection: &Connection) -> Result<u32, StoreError> {
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(map_error)?;
    // user_version is a signed 32-bit field; a negative one was not written by this library.
    u32::try_from(version)
        .map_err(|_| StoreError::Corrupt(format!("negative schema version {version}")))
}

/// A u64 index as an SQLite integer whose signed order is the index's unsigned order: the top
/// bit flipped maps 0 to i64::MIN and u64::MAX to i64::MAX.
fn index_to_sql(index: u64) -> i64 {
    i64::from_ne_bytes((index ^ (1 << 63)).to_ne_bytes())
}

/// The inverse of [`index_to_sql`].
fn index_from_sql(value: i64) -> u64 {
    u64::from_ne_bytes(value.to_ne_bytes()) ^ (1 << 63)
}

/// A u64 kept (not ordered) as the i64 with the same bits.
fn bits_to_sql(value: u64) -> i64 {
    i64::from_ne_bytes(value.to_ne_bytes())
}

/// The inverse of [`bits_to_sql`].
fn bits_from_sql(value: i64) -> u64 {
    u64::from_ne_bytes(value.to_ne_bytes())
}

/// A record from its columns. A column of the wrong type or range means the file was changed
/// outside this library: `Corrupt`, never a panic.
fn read_record(
    suite: ValueRef<'_>,
    epoch: ValueRef<'_>,
    generation: ValueRef<'_>,
    body: ValueRef<'_>,
) -> Result<Record, StoreError> {
    let suite = integer(suite, "suite")?;
    let suite = u16::try_from(suite)
        .map_err(|_| StoreError::Corrupt(format!("suite {suite} out of range")))?;
    Ok(Record {
        suite,
        epoch: bits_from_sql(integer(epoch, "epoch")?),
        generation: bits_from_sql(integer(generation, "generation")?),
        body: blob(body, "body")?.to_vec(),
    })
}

fn integer(value: ValueRef<'_>, column: &str) -> Result<i64, StoreError> {
    match value {
        ValueRef::Integer(value) => Ok(value),
        other => Err(StoreError::Corrupt(format!(
            "column {column} holds {:?}, not an integer",
            other.data_type()
        ))),
    }
}

fn blob<'a>(value: ValueRef<'a>, column: &str) -> Result<&'a [u8], StoreError> {
    match value {
        ValueRef::Blob(bytes) => Ok(bytes),
        other => Err(StoreError::Corrupt(format!(
            "column {column} holds {:?}, not a blob",
            other.data_type()
        ))),
    }
}

/// SQLite's errors as the store's: the ones a caller acts on get their own variant.
fn map_error(error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked,
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt(error.to_string())
        }
        _ => StoreError::Engine(Box::new(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_order_is_unsigned_order() {
        let indices = [0, 1, 2, (1 << 63) - 1, 1 << 63, u64::MAX - 1, u64::MAX];
        for pair in indices.windows(2) {
            assert!(index_to_sql(pair[0]) < index_to_sql(pair[1]), "{pair:?}");
        }
        for index in indices {
            assert_eq!(index_from_sql(index_to_sql(index)), index);
            assert_eq!(bits_from_sql(bits_to_sql(index)), index);
        }
    }
}
