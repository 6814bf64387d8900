//! The two commands that stay connected: `receive --follow` and `chat`.
//!
//! Both read the server's stream of the group's log. An entry this member has read already
//! (its own, read when the server answered its submission) is passed over by its position.

use std::pin::Pin;

use artmls::AnyGroup;
use artmls_service::ClientError;
use artmls_service::api::LogEntry;
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncBufReadExt;

use super::home::Member;
use super::sync::{self, CommitPolicy, Committed, Read};
use super::{describe, group_label};

/// The entries of a group's log, as the server streams them.
type Entries = Pin<Box<dyn Stream<Item = Result<LogEntry, ClientError>>>>;

/// The log stream from the stored position.
async fn open_stream(member: &Member, group: &AnyGroup) -> Result<Entries, String> {
    let stream = member
        .server
        .stream(group.group_id(), group.log_position())
        .await
        .map_err(|e| describe(&member.server, &e))?;
    Ok(Box::pin(stream))
}

/// Processes one entry of the stream; a commit may call for an update, so the hint follows.
fn on_entry(member: &Member, group: &mut AnyGroup, entry: &LogEntry) -> Result<Read, String> {
    let read = sync::apply(member, group, entry)?;
    if read == Read::Member && entry.commit {
        sync::print_update_hint(group);
    }
    Ok(read)
}

/// `receive --follow`: prints entries as the server accepts them, until the stream ends,
/// this member is removed, or ctrl-c.
pub(super) async fn follow(member: &Member, group: &mut AnyGroup) -> Result<(), String> {
    let mut stream = open_stream(member, group).await?;
    let mut interrupted = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            next = stream.next() => match next {
                None => {
                    eprintln!("the server ended the stream");
                    return Ok(());
                }
                Some(Err(error)) => return Err(describe(&member.server, &error)),
                Some(Ok(entry)) => {
                    if on_entry(member, group, &entry)? == Read::Removed {
                        return Ok(());
                    }
                }
            },
            _ = &mut interrupted => return Ok(()),
        }
    }
}

/// How many times, a second apart, `chat` tries to reach the server again.
const RECONNECT_ATTEMPTS: usize = 60;

/// Reads what was missed and opens the stream again, trying for a minute; `None` if this
/// member turns out to have been removed meanwhile.
async fn reconnect(member: &Member, group: &mut AnyGroup) -> Result<Option<Entries>, String> {
    let mut last = String::new();
    for _ in 0..RECONNECT_ATTEMPTS {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        match sync::catch_up(member, group).await {
            Ok(Read::Removed) => return Ok(None),
            Ok(Read::Member) => {}
            Err(error) => {
                last = error;
                continue;
            }
        }
        match open_stream(member, group).await {
            Ok(stream) => return Ok(Some(stream)),
            Err(error) => last = error,
        }
    }
    Err(format!("gave up reconnecting: {last}"))
}

const CHAT_HELP: &str = "type a line to send it; /update updates your leaf, /quit leaves";

/// `chat`: lines typed on stdin are sent, entries from the stream printed as they come.
pub(super) async fn chat(member: &Member, group: &mut AnyGroup) -> Result<(), String> {
    let label = group_label(group.group_id());
    println!("{} in {label}: {CHAT_HELP}", member.config.name);
    if sync::catch_up(member, group).await? == Read::Removed {
        return Ok(());
    }
    sync::print_update_hint(group);
    let mut stream = open_stream(member, group).await?;
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut interrupted = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            next = stream.next() => match next {
                None | Some(Err(ClientError::Transport(_))) => {
                    // The server went away (a restart, say): read what was missed, and
                    // follow the stream again.
                    eprintln!("lost the connection to {}; reconnecting", member.server.base());
                    match reconnect(member, group).await? {
                        Some(again) => stream = again,
                        None => return Ok(()),
                    }
                    eprintln!("reconnected");
                }
                Some(Err(error)) => return Err(describe(&member.server, &error)),
                Some(Ok(entry)) => {
                    if on_entry(member, group, &entry)? == Read::Removed {
                        return Ok(());
                    }
                }
            },
            line = lines.next_line() => {
                let line = line.map_err(|e| format!("reading stdin: {e}"))?;
                // The end of stdin ends the chat, as /quit does.
                let Some(line) = line else { return Ok(()) };
                match line.trim() {
                    "" => {}
                    "/quit" => return Ok(()),
                    "/update" => {
                        let policy = CommitPolicy { catch_up: true, retry: true };
                        match sync::commit(member, group, policy, super::update_commit).await {
                            Ok(Committed::Merged { .. } | Committed::Stale { .. }) => {}
                            Err(error) => eprintln!("error: {error}"),
                        }
                    }
                    command if command.starts_with('/') => {
                        println!("unknown command {command}: {CHAT_HELP}");
                    }
                    text => {
                        // A failed send is reported and the chat goes on: the user may try
                        // again. A removal ends it.
                        if let Err(error) = sync::send(member, group, text).await {
                            eprintln!("error: {error}");
                            if !member.group_ids()?.iter().any(|id| id == group.group_id()) {
                                return Ok(());
                            }
                        }
                    }
                }
            },
            _ = &mut interrupted => return Ok(()),
        }
    }
}
