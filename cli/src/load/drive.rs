//! The timed phase: receivers on every group's stream, every driver submitting its commits
//! and messages, and the latency from each submission to its arrival at the receivers.

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use artmls_service::ClientError;
use artmls_service::api::LogEntry;
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Shared;
use super::setup::{Driver, request, timed_request};

/// One accepted submission, timed.
pub(crate) struct Delivery {
    pub commit: bool,
    /// From the instant the submit went out to the first receiver's arrival.
    pub first: Duration,
    /// From the instant the submit went out to the last receiver's arrival.
    pub all: Duration,
}

/// What the timed phase measured.
pub(crate) struct Outcome {
    /// From the first submission to the last arrival (to the last answer without receivers).
    pub seconds: f64,
    pub commits_accepted: usize,
    pub messages_accepted: usize,
    /// Every accepted submission with its latencies; empty without receivers.
    pub deliveries: Vec<Delivery>,
    /// One line per group whose driver stopped on a failed submission.
    pub errors: Vec<String>,
}

/// A submission as the driver saw it.
struct Submission {
    position: u64,
    commit: bool,
    at: Instant,
}

/// What one driver did: its submissions until the first failure, if any.
struct Driven {
    submissions: Vec<Submission>,
    error: Option<String>,
}

/// One subscriber of one group's stream.
struct Receiver {
    group: usize,
    /// How many entries it has; read to say which receivers are behind on a timeout.
    progress: Arc<AtomicUsize>,
    task: JoinHandle<Result<Vec<Instant>, String>>,
}

/// Whether operation `op` of `total` is a commit, for `commits` commits spread evenly among
/// the messages: the commit count up to `op` steps by one at each commit.
fn is_commit(op: usize, commits: usize, total: usize) -> bool {
    (op + 1) * commits / total > op * commits / total
}

pub(crate) async fn run_timed(
    shared: &Arc<Shared>,
    drivers: Vec<Driver>,
    timeout: Duration,
) -> Result<Outcome, String> {
    let plan = &shared.plan;
    let drivers: Vec<Arc<Driver>> = drivers.into_iter().map(Arc::new).collect();

    // Every subscription is open before the first submission: a receiver that is still
    // connecting would time the connection, not the delivery.
    let mut expected_senders = Vec::with_capacity(drivers.len());
    let mut receivers = Vec::with_capacity(drivers.len() * plan.receivers);
    for driver in &drivers {
        let (sender, expected) = watch::channel(None);
        expected_senders.push(sender);
        let streams = futures_util::future::try_join_all((0..plan.receivers).map(|number| {
            // Receivers go round-robin over the servers from the group's own server on.
            let server = &shared.servers[(driver.index + number) % shared.servers.len()];
            request(
                shared,
                server.stream(&driver.group_id, driver.start_position),
            )
        }))
        .await
        .map_err(|e| format!("subscribing to group {}: {e}", driver.index))?;
        for stream in streams {
            let progress = Arc::new(AtomicUsize::new(0));
            let task = tokio::spawn(receive(
                stream,
                driver.start_position,
                expected.clone(),
                Arc::clone(&progress),
            ));
            receivers.push(Receiver {
                group: driver.index,
                progress,
                task,
            });
        }
    }

    let start = Instant::now();
    let mut drives = Vec::with_capacity(drivers.len());
    for (driver, expected) in drivers.iter().zip(expected_senders) {
        let (shared, driver) = (Arc::clone(shared), Arc::clone(driver));
        drives.push(tokio::spawn(async move {
            let driven = drive(&shared, &driver).await;
            // The receivers stop once they have as many entries as were accepted.
            expected.send_replace(Some(driven.submissions.len()));
            driven
        }));
    }
    let mut driven = Vec::with_capacity(drives.len());
    for drive in drives {
        driven.push(drive.await.map_err(|e| format!("a driver failed: {e}"))?);
    }
    let submitted = Instant::now();

    let arrivals = wait_for(receivers, drivers.len(), timeout).await?;
    let end = arrivals
        .iter()
        .flatten()
        .flatten()
        .max()
        .copied()
        .unwrap_or(submitted);

    let mut outcome = Outcome {
        seconds: end.duration_since(start).as_secs_f64(),
        commits_accepted: 0,
        messages_accepted: 0,
        deliveries: Vec::new(),
        errors: Vec::new(),
    };
    for ((driver, driven), arrivals) in drivers.iter().zip(driven).zip(arrivals) {
        if let Some(error) = driven.error {
            outcome
                .errors
                .push(format!("group {}: {error}", driver.index));
        }
        for submission in &driven.submissions {
            if submission.commit {
                outcome.commits_accepted += 1;
            } else {
                outcome.messages_accepted += 1;
            }
            if arrivals.is_empty() {
                continue;
            }
            let offset = (submission.position - driver.start_position) as usize;
            let times: Vec<Duration> = arrivals
                .iter()
                .map(|at| at[offset].saturating_duration_since(submission.at))
                .collect();
            outcome.deliveries.push(Delivery {
                commit: submission.commit,
                first: times.iter().min().copied().unwrap_or_default(),
                all: times.iter().max().copied().unwrap_or_default(),
            });
        }
    }
    Ok(outcome)
}

/// One group's timed work: its commits and messages, one after the other. Stops at the first
/// failure: a refused commit leaves the driver unable to go on in step with the server.
async fn drive(shared: &Shared, driver: &Driver) -> Driven {
    let plan = &shared.plan;
    let server = shared.server_of(driver.index);
    let total = plan.commits + plan.messages;
    let mut driven = Driven {
        submissions: Vec::with_capacity(total),
        error: None,
    };
    for op in 0..total {
        let commit = is_commit(op, plan.commits, total);
        let result = if commit {
            commit_update(shared, driver, server).await
        } else {
            send_message(shared, driver, server, plan.message_bytes).await
        };
        match result {
            Ok((position, at)) => driven.submissions.push(Submission {
                position,
                commit,
                at,
            }),
            Err(error) => {
                let what = if commit { "commit" } else { "message" };
                driven.error = Some(format!("{what} {op}: {error}"));
                break;
            }
        }
    }
    driven
}

/// Makes, submits and merges one update commit; returns its position and the instant the
/// submit went out.
async fn commit_update(
    shared: &Shared,
    driver: &Driver,
    server: &artmls_service::DeliveryClient,
) -> Result<(u64, Instant), String> {
    let pending = driver
        .with_member(shared, |member| {
            member.group.commit_update_with_rng(&mut member.rng)
        })
        .await?
        .map_err(|e| e.to_string())?;
    let (accepted, at) =
        timed_request(shared, server.submit(&driver.group_id, pending.message())).await?;
    driver
        .with_member(shared, move |member| {
            member.group.merge_pending_commit(pending).map(|_| ())
        })
        .await?
        .map_err(|e| e.to_string())?;
    Ok((accepted.position, at))
}

/// Encrypts and submits one application message; returns its position and the instant the
/// submit went out.
async fn send_message(
    shared: &Shared,
    driver: &Driver,
    server: &artmls_service::DeliveryClient,
    bytes: usize,
) -> Result<(u64, Instant), String> {
    let message = driver
        .with_member(shared, move |member| {
            member
                .group
                .encrypt_application_with_rng(&vec![b'x'; bytes], &mut member.rng)
        })
        .await?
        .map_err(|e| e.to_string())?;
    let (accepted, at) = timed_request(shared, server.submit(&driver.group_id, &message)).await?;
    Ok((accepted.position, at))
}

/// A plain subscriber: records the instant each entry arrives, from `start` on, until it has
/// as many as its driver says were accepted.
async fn receive(
    stream: impl Stream<Item = Result<LogEntry, ClientError>>,
    start: u64,
    mut expected: watch::Receiver<Option<usize>>,
    progress: Arc<AtomicUsize>,
) -> Result<Vec<Instant>, String> {
    let mut stream = pin!(stream);
    let mut arrivals = Vec::new();
    let mut driver_done = false;
    loop {
        if let Some(count) = *expected.borrow()
            && arrivals.len() >= count
        {
            return Ok(arrivals);
        }
        tokio::select! {
            entry = stream.next() => {
                let entry = match entry {
                    Some(Ok(entry)) => entry,
                    Some(Err(error)) => return Err(format!("the stream failed: {error}")),
                    None => {
                        return Err(format!("the stream ended after {} entries", arrivals.len()));
                    }
                };
                let now = Instant::now();
                let position = start + arrivals.len() as u64;
                if entry.position != position {
                    return Err(format!(
                        "the stream gave position {} where {position} was next",
                        entry.position
                    ));
                }
                arrivals.push(now);
                progress.store(arrivals.len(), Ordering::Relaxed);
            }
            changed = expected.changed(), if !driver_done => {
                // The driver sends its count once, then drops its end.
                if changed.is_err() {
                    driver_done = true;
                    if expected.borrow().is_none() {
                        return Err("the group's driver stopped without a count".into());
                    }
                }
            }
        }
    }
}

/// Waits for every receiver, at most `timeout`; returns each of the `groups` groups'
/// receivers' arrivals, in group order (an empty list for a group without receivers).
async fn wait_for(
    receivers: Vec<Receiver>,
    groups: usize,
    timeout: Duration,
) -> Result<Vec<Vec<Vec<Instant>>>, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut by_group: Vec<Vec<Vec<Instant>>> = vec![Vec::new(); groups];
    let mut behind = Vec::new();
    let mut receivers = receivers.into_iter();
    while let Some(receiver) = receivers.next() {
        let Receiver {
            group,
            progress,
            mut task,
        } = receiver;
        let arrivals = match tokio::time::timeout_at(deadline, &mut task).await {
            Ok(joined) => joined
                .map_err(|e| format!("a receiver of group {group} failed: {e}"))?
                .map_err(|e| format!("a receiver of group {group}: {e}"))?,
            Err(_) => {
                task.abort();
                behind.push(format!(
                    "group {group} has {}",
                    progress.load(Ordering::Relaxed)
                ));
                // The others are past the deadline too: note how far each got.
                for other in receivers.by_ref() {
                    other.task.abort();
                    behind.push(format!(
                        "group {} has {}",
                        other.group,
                        other.progress.load(Ordering::Relaxed)
                    ));
                }
                break;
            }
        };
        by_group[group].push(arrivals);
    }
    if !behind.is_empty() {
        behind.truncate(10);
        return Err(format!(
            "receivers still missed entries {} s after the last submission ({}{})",
            timeout.as_secs(),
            behind.join(", "),
            if behind.len() == 10 { ", ..." } else { "" }
        ));
    }
    Ok(by_group)
}

#[cfg(test)]
mod tests {
    use super::is_commit;

    #[test]
    fn commits_are_spread_evenly_among_the_messages() {
        let commits: Vec<usize> = (0..12).filter(|&op| is_commit(op, 3, 12)).collect();
        assert_eq!(commits, [3, 7, 11], "one commit after every three messages");
        assert!((0..5).all(|op| is_commit(op, 5, 5)));
        assert!((0..5).all(|op| !is_commit(op, 0, 5)));
    }
}
