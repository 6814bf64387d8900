//! The PostgreSQL engine: a few connections for requests, and one that LISTENs for the log
//! entries other server processes accept.
//!
//! A submit locks its group's row (`SELECT ... FOR UPDATE`) for the whole transaction, so
//! several processes on one database append to a group one at a time, each after checking
//! the epoch the previous one left. The transaction ends with a NOTIFY on [`CHANNEL`] naming
//! the group; PostgreSQL delivers it when (and only if) the transaction commits.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{Mutex, MutexGuard, watch};
use tokio_postgres::{AsyncMessage, Client, NoTls};

use crate::api::{Bytes, LogEntry};

use super::store::{
    Appended, Counts, EpochStart, GroupRow, NewKeyPackage, NewMessage, Published, StoreError,
    from_db, to_db,
};
use super::wakeup::Wakeups;

/// The NOTIFY channel; the payload is the hex of the group id.
pub(crate) const CHANNEL: &str = "artmls_log";

/// How many connections serve requests.
const CONNECTIONS: usize = 4;

/// Any fixed number: the advisory lock that serializes creating the schema, so servers that
/// start together on an empty database do not race on `CREATE TABLE IF NOT EXISTS`.
const SCHEMA_LOCK: i64 = 0x6172_746d_6c73;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS identities (
    identity BYTEA PRIMARY KEY,
    signature_key BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS key_packages (
    id BIGSERIAL PRIMARY KEY,
    identity BYTEA NOT NULL,
    suite INTEGER NOT NULL,
    reference BYTEA NOT NULL UNIQUE,
    body BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS key_packages_owner ON key_packages (identity, suite, id);
CREATE TABLE IF NOT EXISTS key_package_refs (
    reference BYTEA PRIMARY KEY,
    identity BYTEA NOT NULL,
    claimed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS groups (
    group_id BYTEA PRIMARY KEY,
    suite INTEGER NOT NULL,
    group_info BYTEA NOT NULL,
    first_epoch BIGINT NOT NULL,
    epoch BIGINT NOT NULL,
    next_position BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    group_id BYTEA NOT NULL,
    position BIGINT NOT NULL,
    epoch BIGINT NOT NULL,
    is_commit BOOLEAN NOT NULL,
    digest BYTEA NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (group_id, position),
    UNIQUE (group_id, digest)
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_one_commit_per_epoch
    ON messages (group_id, epoch) WHERE is_commit;
CREATE TABLE IF NOT EXISTS welcomes (
    id BIGSERIAL PRIMARY KEY,
    identity BYTEA NOT NULL,
    group_id BYTEA NOT NULL,
    welcome BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS welcomes_identity ON welcomes (identity, id);
";

/// The PostgreSQL database of one server process.
#[derive(Debug)]
pub(crate) struct PostgresStore {
    config: String,
    clients: Vec<Mutex<Client>>,
    next_client: AtomicUsize,
}

/// Opens a connection and drives it in a task of its own (notifications are dropped).
async fn connect(config: &str) -> Result<Client, StoreError> {
    let (client, connection) = tokio_postgres::connect(config, NoTls).await?;
    tokio::spawn(async move {
        // The connection ends with an error when the server goes away; the client then
        // reports itself closed and is replaced on its next use.
        let _ = connection.await;
    });
    Ok(client)
}

fn u16_of(value: i32) -> Result<u16, StoreError> {
    u16::try_from(value).map_err(|_| StoreError::OutOfRange(value.to_string()))
}

impl PostgresStore {
    /// Connects, and creates the tables if they are missing.
    pub(crate) async fn open(config: &str) -> Result<Self, StoreError> {
        let mut clients = Vec::with_capacity(CONNECTIONS);
        for _ in 0..CONNECTIONS {
            clients.push(Mutex::new(connect(config).await?));
        }
        if let Some(first) = clients.first() {
            let mut client = first.lock().await;
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
                .await?;
            tx.batch_execute(SCHEMA).await?;
            tx.commit().await?;
        }
        Ok(PostgresStore {
            config: config.to_owned(),
            clients,
            next_client: AtomicUsize::new(0),
        })
    }

    /// One of the connections, reconnected if it was lost.
    async fn client(&self) -> Result<MutexGuard<'_, Client>, StoreError> {
        let index = self.next_client.fetch_add(1, Ordering::Relaxed) % self.clients.len().max(1);
        let slot = self
            .clients
            .get(index)
            .ok_or_else(|| StoreError::Task("no connection".into()))?;
        let mut client = slot.lock().await;
        if client.is_closed() {
            *client = connect(&self.config).await?;
        }
        Ok(client)
    }

    pub(crate) async fn publish_key_package(
        &self,
        key_package: NewKeyPackage,
    ) -> Result<Published, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO identities (identity, signature_key) VALUES ($1, $2)
             ON CONFLICT (identity) DO NOTHING",
            &[&key_package.identity, &key_package.signature_key],
        )
        .await?;
        let pinned: Vec<u8> = tx
            .query_one(
                "SELECT signature_key FROM identities WHERE identity = $1",
                &[&key_package.identity],
            )
            .await?
            .try_get(0)?;
        if pinned != key_package.signature_key {
            return Ok(Published::PinnedToAnotherKey);
        }
        let suite = i32::from(key_package.suite);
        tx.execute(
            "INSERT INTO key_packages (identity, suite, reference, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (reference) DO NOTHING",
            &[
                &key_package.identity,
                &suite,
                &key_package.reference,
                &key_package.body,
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO key_package_refs (reference, identity) VALUES ($1, $2)
             ON CONFLICT (reference) DO NOTHING",
            &[&key_package.reference, &key_package.identity],
        )
        .await?;
        let available: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM key_packages WHERE identity = $1 AND suite = $2",
                &[&key_package.identity, &suite],
            )
            .await?
            .try_get(0)?;
        tx.commit().await?;
        Ok(Published::Filed {
            available: from_db(available)?,
        })
    }

    pub(crate) async fn claim_key_package(
        &self,
        identity: Vec<u8>,
        suite: u16,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // SKIP LOCKED: two claims at once take two different KeyPackages.
        let claimed = tx
            .query_opt(
                "DELETE FROM key_packages WHERE id = (
                     SELECT id FROM key_packages WHERE identity = $1 AND suite = $2
                     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                 RETURNING reference, body",
                &[&identity, &i32::from(suite)],
            )
            .await?;
        let Some(row) = claimed else {
            return Ok(None);
        };
        let reference: Vec<u8> = row.try_get(0)?;
        let body: Vec<u8> = row.try_get(1)?;
        tx.execute(
            "UPDATE key_package_refs SET claimed = TRUE WHERE reference = $1",
            &[&reference],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(body))
    }

    pub(crate) async fn create_group(
        &self,
        group_id: Vec<u8>,
        row: GroupRow,
    ) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let epoch = to_db(row.first_epoch)?;
        let inserted = client
            .execute(
                "INSERT INTO groups (group_id, suite, group_info, first_epoch, epoch, next_position)
                 VALUES ($1, $2, $3, $4, $4, 0) ON CONFLICT (group_id) DO NOTHING",
                &[&group_id, &i32::from(row.suite), &row.group_info, &epoch],
            )
            .await?;
        Ok(inserted == 1)
    }

    pub(crate) async fn group(&self, group_id: Vec<u8>) -> Result<Option<GroupRow>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT suite, group_info, first_epoch FROM groups WHERE group_id = $1",
                &[&group_id],
            )
            .await?;
        row.map(|row| {
            Ok(GroupRow {
                suite: u16_of(row.try_get(0)?)?,
                group_info: row.try_get(1)?,
                first_epoch: from_db(row.try_get(2)?)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn append(&self, message: NewMessage) -> Result<Appended, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let group = tx
            .query_opt(
                "SELECT epoch, next_position FROM groups WHERE group_id = $1 FOR UPDATE",
                &[&message.group_id],
            )
            .await?;
        let Some(group) = group else {
            return Ok(Appended::UnknownGroup);
        };
        let epoch: i64 = group.try_get(0)?;
        let position: i64 = group.try_get(1)?;
        let current = from_db(epoch)?;
        if current != message.epoch {
            return Ok(Appended::WrongEpoch { current });
        }
        let replay = tx
            .query_opt(
                "SELECT 1 FROM messages WHERE group_id = $1 AND digest = $2",
                &[&message.group_id, &message.digest],
            )
            .await?;
        if replay.is_some() {
            return Ok(Appended::Duplicate);
        }
        tx.execute(
            "INSERT INTO messages (group_id, position, epoch, is_commit, digest, body)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &message.group_id,
                &position,
                &epoch,
                &message.is_commit,
                &message.digest,
                &message.body,
            ],
        )
        .await?;
        tx.execute(
            "UPDATE groups SET next_position = next_position + 1, epoch = epoch + $2
             WHERE group_id = $1",
            &[&message.group_id, &i64::from(message.is_commit)],
        )
        .await?;
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&CHANNEL, &hex::encode(&message.group_id)],
        )
        .await?;
        tx.commit().await?;
        Ok(Appended::Accepted {
            position: from_db(position)?,
        })
    }

    pub(crate) async fn entries(
        &self,
        group_id: Vec<u8>,
        from: u64,
        limit: usize,
    ) -> Result<Vec<LogEntry>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT position, epoch, is_commit, body FROM messages
                 WHERE group_id = $1 AND position >= $2 ORDER BY position LIMIT $3",
                &[&group_id, &to_db(from)?, &to_db(limit as u64)?],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(LogEntry {
                    position: from_db(row.try_get(0)?)?,
                    epoch: from_db(row.try_get(1)?)?,
                    commit: row.try_get(2)?,
                    message: Bytes(row.try_get(3)?),
                })
            })
            .collect()
    }

    pub(crate) async fn epoch_start(
        &self,
        group_id: Vec<u8>,
        epoch: u64,
    ) -> Result<EpochStart, StoreError> {
        let client = self.client().await?;
        let group = client
            .query_opt(
                "SELECT first_epoch, epoch FROM groups WHERE group_id = $1",
                &[&group_id],
            )
            .await?;
        let Some(group) = group else {
            return Ok(EpochStart::UnknownGroup);
        };
        let first = from_db(group.try_get(0)?)?;
        let current = from_db(group.try_get(1)?)?;
        if epoch > current {
            return Ok(EpochStart::NotReached { current });
        }
        if epoch <= first {
            return Ok(EpochStart::At(0));
        }
        // The entry after the commit that ended the epoch before.
        let commit: i64 = client
            .query_one(
                "SELECT position FROM messages WHERE group_id = $1 AND epoch = $2 AND is_commit",
                &[&group_id, &to_db(epoch - 1)?],
            )
            .await?
            .try_get(0)?;
        Ok(EpochStart::At(from_db(commit)? + 1))
    }

    pub(crate) async fn claimed_owners(
        &self,
        references: Vec<Vec<u8>>,
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let client = self.client().await?;
        let mut owners = Vec::with_capacity(references.len());
        for reference in references {
            let row = client
                .query_opt(
                    "SELECT identity FROM key_package_refs WHERE reference = $1 AND claimed",
                    &[&reference],
                )
                .await?;
            owners.push(row.map(|row| row.try_get(0)).transpose()?);
        }
        Ok(owners)
    }

    pub(crate) async fn queue_welcome(
        &self,
        group_id: Vec<u8>,
        welcome: Vec<u8>,
        recipients: Vec<Vec<u8>>,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for identity in recipients {
            tx.execute(
                "INSERT INTO welcomes (identity, group_id, welcome) VALUES ($1, $2, $3)",
                &[&identity, &group_id, &welcome],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn claim_welcomes(
        &self,
        identity: Vec<u8>,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "DELETE FROM welcomes WHERE identity = $1 RETURNING id, group_id, welcome",
                &[&identity],
            )
            .await?;
        let mut welcomes = rows
            .iter()
            .map(|row| Ok((row.try_get::<_, i64>(0)?, row.try_get(1)?, row.try_get(2)?)))
            .collect::<Result<Vec<(i64, Vec<u8>, Vec<u8>)>, StoreError>>()?;
        welcomes.sort_by_key(|(id, _, _)| *id);
        Ok(welcomes
            .into_iter()
            .map(|(_, group_id, welcome)| (group_id, welcome))
            .collect())
    }

    pub(crate) async fn counts(&self) -> Result<Counts, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT (SELECT COUNT(*) FROM groups), (SELECT COUNT(*) FROM messages),
                        (SELECT COUNT(*) FROM key_packages)",
                &[],
            )
            .await?;
        Ok(Counts {
            groups: from_db(row.try_get(0)?)?,
            messages: from_db(row.try_get(1)?)?,
            key_packages: from_db(row.try_get(2)?)?,
        })
    }
}

/// Forwards the NOTIFYs of [`CHANNEL`] (entries accepted by any server process on this
/// database) to this process's streams, until `shutdown`. A lost connection is opened again;
/// since notifications may have been missed meanwhile, every stream is then woken to re-read.
pub(crate) async fn listen(
    config: String,
    wakeups: Arc<Wakeups>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = listen_once(&config, &wakeups) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        wakeups.missed();
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
    }
}

/// One LISTEN connection, until it fails.
async fn listen_once(config: &str, wakeups: &Wakeups) {
    let Ok((client, mut connection)) = tokio_postgres::connect(config, NoTls).await else {
        return;
    };
    let mut messages =
        futures_util::stream::poll_fn(move |context| connection.poll_message(context));
    // The connection only makes progress while it is polled, so LISTEN runs alongside.
    let statement = format!("LISTEN {CHANNEL}");
    let listen = client.batch_execute(&statement);
    tokio::pin!(listen);
    let mut listening = false;
    loop {
        tokio::select! {
            done = &mut listen, if !listening => {
                if done.is_err() {
                    return;
                }
                listening = true;
                // Entries accepted before LISTEN took effect were not notified.
                wakeups.missed();
            }
            message = messages.next() => match message {
                Some(Ok(AsyncMessage::Notification(notification))) => {
                    if let Ok(group_id) = hex::decode(notification.payload()) {
                        wakeups.notified(&group_id);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
        }
    }
}
