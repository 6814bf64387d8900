//! `GET /v1/groups/{group}/stream`: a group's log as server-sent events, the backlog first,
//! then each entry as it is accepted.
//!
//! The stream remembers the position it sends next and always reads the database from there,
//! so it neither loses nor repeats an entry. A wake-up of its group (an entry accepted by this
//! process, or a NOTIFY from another, see [`super::wakeup`]) only tells it to read, and it
//! also looks now and then without one.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::watch;

use crate::api::{LogEntry, MAX_PAGE_ENTRIES, STREAM_EVENT};

use super::AppState;
use super::error::ApiError;
use super::routes::path_group_id;
use super::wakeup::Subscription;

/// How long a stream waits for a wake-up before it reads the database anyway.
const POLL: Duration = Duration::from_secs(5);

/// `?from=P` (0 if absent).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct StreamQuery {
    from: Option<u64>,
}

/// A stream's place in its group's log.
struct Tail {
    state: Arc<AppState>,
    group_id: Vec<u8>,
    /// The position of the next entry to send.
    next: u64,
    /// Entries read but not sent yet.
    pending: VecDeque<LogEntry>,
    /// Whether the log may hold entries from `next` on: the last read was not known to reach
    /// its end, or a wake-up came since.
    behind: bool,
    /// Dropped with the stream, which removes the group's channel if it was the last.
    wakeups: Subscription,
    shutdown: watch::Receiver<bool>,
}

pub(crate) async fn stream(
    State(state): State<Arc<AppState>>,
    group: Result<Path<String>, PathRejection>,
    query: Result<Query<StreamQuery>, QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let group_id = path_group_id(group)?;
    let Query(query) = query?;
    let next = query.from.unwrap_or(0);
    // A position no entry can have is refused now, not read and failed every few seconds.
    super::store::to_db(next)?;
    // Subscribed before the first read, so no entry falls between the read and the wait.
    let wakeups = state.wakeups.subscribe(&group_id);
    if state.database.group(group_id.clone()).await?.is_none() {
        return Err(ApiError::unknown_group());
    }
    let tail = Tail {
        shutdown: state.shutdown.clone(),
        state,
        group_id,
        next,
        pending: VecDeque::new(),
        behind: true,
        wakeups,
    };
    let events = futures_util::stream::unfold(tail, |mut tail| async move {
        let entry = tail.next_entry().await?;
        let event = Event::default()
            .event(STREAM_EVENT)
            .json_data(&entry)
            .ok()?;
        Some((Ok(event), tail))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

impl Tail {
    /// The next entry of the log, waiting for it if needed; None when the server stops.
    async fn next_entry(&mut self) -> Option<LogEntry> {
        loop {
            if *self.shutdown.borrow() {
                return None;
            }
            if let Some(entry) = self.pending.pop_front() {
                return Some(entry);
            }
            // If the database fails for now, the stream waits, then reads again.
            if self.behind
                && let Ok(entries) = self
                    .state
                    .database
                    .entries(self.group_id.clone(), self.next, MAX_PAGE_ENTRIES)
                    .await
            {
                // A short page reached the end of the log: later entries come with a
                // wake-up. A full one may have more behind it.
                self.behind = entries.len() >= MAX_PAGE_ENTRIES;
                if let Some(last) = entries.last() {
                    self.next = last.position + 1;
                }
                self.pending.extend(entries);
                continue;
            }
            tokio::select! {
                _ = self.wakeups.news_from(self.next) => {}
                _ = self.shutdown.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            self.behind = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use tokio::net::TcpListener;

    use super::*;
    use crate::server::follow::Following;
    use crate::server::sqlite::SqliteStore;
    use crate::server::store::{Appended, Database, GroupRow, NewMessage};
    use crate::server::wakeup::Wakeups;
    use crate::server::{Suites, routes};

    /// The server's routes on a local port, with its state at hand.
    struct Server {
        state: Arc<AppState>,
        url: String,
        stop: watch::Sender<bool>,
        _directory: tempfile::TempDir,
    }

    async fn server() -> Server {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&directory.path().join("server.sqlite"))
            .await
            .unwrap();
        let (stop, shutdown) = watch::channel(false);
        let state = Arc::new(AppState {
            database: Database::Sqlite(store),
            suites: Suites::new(&[], None).unwrap(),
            following: Following::default(),
            wakeups: Arc::new(Wakeups::default()),
            shutdown,
            log_refusals: false,
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = routes::router(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Server {
            state,
            url,
            stop,
            _directory: directory,
        }
    }

    /// A group whose log is only ever appended to directly (the stream does not look at the
    /// GroupInfo).
    async fn create(state: &AppState, group_id: &[u8]) {
        let row = GroupRow {
            suite: 0xF001,
            group_info: Vec::new(),
            first_epoch: 0,
        };
        assert!(
            state
                .database
                .create_group(group_id.to_vec(), row)
                .await
                .unwrap()
        );
    }

    /// Appends an application message as a submit does, wake-up included.
    async fn append(state: &AppState, group_id: &[u8], body: &[u8]) -> u64 {
        let message = NewMessage {
            group_id: group_id.to_vec(),
            epoch: 0,
            is_commit: false,
            digest: body.to_vec(),
            body: body.to_vec(),
        };
        let Appended::Accepted { position } = state.database.append(message).await.unwrap() else {
            panic!("not appended");
        };
        state.wakeups.appended(group_id, position + 1);
        position
    }

    async fn open(server: &Server, group_id: &[u8]) -> reqwest::Response {
        let url = format!("{}/v1/groups/{}/stream", server.url, hex::encode(group_id));
        let response = reqwest::get(url).await.unwrap();
        assert!(response.status().is_success());
        response
    }

    /// Waits until the number of groups with a wake-up channel is `count`.
    async fn channels(state: &AppState, count: usize) {
        for _ in 0..500 {
            if state.wakeups.count() == count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{} channels, not {count}", state.wakeups.count());
    }

    #[tokio::test]
    async fn streams_hold_their_groups_channel_while_open() {
        let server = server().await;
        create(&server.state, b"A").await;
        create(&server.state, b"B").await;
        append(&server.state, b"B", b"before anyone streams").await;
        channels(&server.state, 0).await;

        let mut a = open(&server, b"A").await.bytes_stream();
        let b1 = open(&server, b"B").await;
        let b2 = open(&server, b"B").await;
        channels(&server.state, 2).await;

        // B's entries do not reach A's stream; A's own do.
        append(&server.state, b"B", b"for B").await;
        let nothing = tokio::time::timeout(Duration::from_millis(200), a.next()).await;
        assert!(nothing.is_err(), "A's stream sent {nothing:?}");
        append(&server.state, b"A", b"for A").await;
        let event = tokio::time::timeout(Duration::from_secs(2), a.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let event = String::from_utf8(event.to_vec()).unwrap();
        assert!(event.contains("\"position\":0"), "{event}");

        // The channel goes with the group's last stream.
        drop(a);
        channels(&server.state, 1).await;
        drop(b1);
        channels(&server.state, 1).await;
        drop(b2);
        channels(&server.state, 0).await;

        // A stream open at shutdown ends.
        let mut b = open(&server, b"B").await.bytes_stream();
        let _ = server.stop.send(true);
        let end = tokio::time::timeout(Duration::from_secs(2), async {
            while let Some(Ok(_)) = b.next().await {}
        })
        .await;
        assert!(end.is_ok(), "the stream went on after shutdown");
        channels(&server.state, 0).await;
    }
}
