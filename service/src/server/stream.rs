//! `GET /v1/groups/{group}/stream`: a group's log as server-sent events, the backlog first,
//! then each entry as it is accepted.
//!
//! The stream remembers the position it sends next and always reads the database from there,
//! so it neither loses nor repeats an entry. A wake-up (an entry accepted by this process, or
//! a NOTIFY from another) only tells it to read; a stream that missed wake-ups reads anyway,
//! and it also looks now and then without one.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use crate::api::{LogEntry, MAX_PAGE_ENTRIES, STREAM_EVENT};

use super::AppState;
use super::error::ApiError;
use super::follow::Wakeup;
use super::routes::path_group_id;

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
    wakeups: broadcast::Receiver<Wakeup>,
    shutdown: watch::Receiver<bool>,
}

pub(crate) async fn stream(
    State(state): State<Arc<AppState>>,
    group: Result<Path<String>, PathRejection>,
    query: Result<Query<StreamQuery>, QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let group_id = path_group_id(group)?;
    let Query(query) = query?;
    // Subscribed before the first read, so no entry falls between the read and the wait.
    let wakeups = state.wakeups.subscribe();
    if state.database.group(group_id.clone()).await?.is_none() {
        return Err(ApiError::unknown_group());
    }
    let tail = Tail {
        shutdown: state.shutdown.clone(),
        state,
        group_id,
        next: query.from.unwrap_or(0),
        pending: VecDeque::new(),
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
            match self
                .state
                .database
                .entries(self.group_id.clone(), self.next, MAX_PAGE_ENTRIES)
                .await
            {
                Ok(entries) if !entries.is_empty() => {
                    if let Some(last) = entries.last() {
                        self.next = last.position + 1;
                    }
                    self.pending.extend(entries);
                    continue;
                }
                // Nothing new, or the database failed for now: wait and read again.
                Ok(_) | Err(_) => {}
            }
            tokio::select! {
                woken = Self::woken(&mut self.wakeups, &self.group_id) => {
                    if !woken {
                        return None;
                    }
                }
                _ = self.shutdown.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Waits for a wake-up that concerns the group (or for having missed some); false when
    /// the server is gone.
    async fn woken(wakeups: &mut broadcast::Receiver<Wakeup>, group_id: &[u8]) -> bool {
        loop {
            match wakeups.recv().await {
                Ok(wakeup) if wakeup.concerns(group_id) => return true,
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => return true,
                Err(RecvError::Closed) => return false,
            }
        }
    }
}
