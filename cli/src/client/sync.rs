//! Reading a group's log, and putting this member's own messages and commits into it.
//!
//! A member reads the log in order from the position its store recorded. Each entry is
//! processed with `process_message_at`, which writes the new state and the new position in
//! one transaction: after a crash the entry is either applied and read, or neither.
//!
//! This member's own entries are not read back (an application message cannot be decrypted
//! by its sender, and an own commit is merged from the pending commit): after the server
//! answers with the entry's position, the entries before it that this member has not read
//! yet are read first, then the own entry is recorded as read.

use std::collections::HashMap;

use artmls::group::{CommitSummary, GroupError, Received};
use artmls::messages::Credential;
use artmls::tree_math::LeafIndex;
use artmls::{AnyGroup, AnyPendingCommit};
use artmls_service::ClientError;
use artmls_service::api::{ErrorCode, LogEntry};

use super::home::Member;
use super::{describe, group_label};

/// How many times a message or commit is sent again after the server answered that another
/// commit took the epoch first.
const ATTEMPTS: usize = 5;

/// Whether this member is still in the group after reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Read {
    /// Still a member.
    Member,
    /// Removed: the group was deleted from the store.
    Removed,
}

/// The names of the members, by leaf.
#[derive(Debug, Default)]
pub(super) struct Names(HashMap<LeafIndex, String>);

impl Names {
    /// Every member's name.
    pub(super) fn of(group: &AnyGroup) -> Names {
        Names(
            group
                .members()
                .map(|(leaf, node)| (leaf, credential_name(&node.credential)))
                .collect(),
        )
    }

    /// The names of the members at `leaves` only: what a line about a commit needs, without
    /// a name for each of the group's members.
    fn of_leaves(group: &AnyGroup, leaves: &[LeafIndex]) -> Names {
        Names(
            group
                .members()
                .filter(|(leaf, _)| leaves.contains(leaf))
                .map(|(leaf, node)| (leaf, credential_name(&node.credential)))
                .collect(),
        )
    }

    fn name(&self, leaf: LeafIndex) -> String {
        self.0
            .get(&leaf)
            .cloned()
            .unwrap_or_else(|| format!("leaf {}", leaf.0))
    }

    /// The names, sorted.
    pub(super) fn sorted(&self) -> Vec<String> {
        let mut names: Vec<String> = self.0.values().cloned().collect();
        names.sort();
        names
    }
}

/// The name in a credential, for people.
pub(super) fn credential_name(credential: &Credential) -> String {
    match credential {
        Credential::Basic { identity } => String::from_utf8_lossy(identity).into_owned(),
        _ => "(a member without a basic credential)".into(),
    }
}

/// The name of the member at `leaf`.
fn name_of(group: &AnyGroup, leaf: LeafIndex) -> String {
    Names::of_leaves(group, &[leaf]).name(leaf)
}

/// Prints one line per change a commit made: `epoch E: alice added carol`. `before` names
/// (at least) the removed members, as they were before the commit; `after` is the group
/// after it.
pub(super) fn print_commit(before: &Names, after: &AnyGroup, summary: &CommitSummary) {
    let after = Names::of_leaves(
        after,
        &[core::slice::from_ref(&summary.sender), &summary.added[..]].concat(),
    );
    let epoch = summary.epoch;
    let sender = after.name(summary.sender);
    for leaf in &summary.added {
        println!("epoch {epoch}: {sender} added {}", after.name(*leaf));
    }
    for leaf in &summary.removed {
        println!("epoch {epoch}: {sender} removed {}", before.name(*leaf));
    }
    if summary.added.is_empty() && summary.removed.is_empty() {
        let sealed = match summary.sealed.len() {
            0 => String::new(),
            1 => " (sealing a removed member's tombstone)".into(),
            n => format!(" (sealing {n} removed members' tombstones)"),
        };
        let what = if summary.updated {
            "updated"
        } else {
            "committed"
        };
        println!("epoch {epoch}: {sender} {what}{sealed}");
    }
}

/// Tells the user when this member should update, and why.
pub(super) fn print_update_hint(group: &AnyGroup) {
    if !group.needs_update() {
        return;
    }
    let why = if !group.sponsored_tombstones().is_empty() {
        "you sponsor a removed member's tombstone, and your update seals it"
    } else {
        "the member who added you chose your leaf key, and only your update replaces it"
    };
    println!(
        "hint: run `artmls client update {}` soon: {why}",
        group_label(group.group_id())
    );
}

/// Processes one log entry and prints what it says. An entry this member read already is
/// passed over; one the group rejects is skipped with a warning on stderr (the position
/// moves past it, so a bad entry cannot block the log). Storage failures are errors.
pub(super) fn apply(
    member: &Member,
    group: &mut AnyGroup,
    entry: &LogEntry,
) -> Result<Read, String> {
    if entry.position < group.log_position() {
        return Ok(Read::Member);
    }
    // Which members a commit removes is known only once it is processed, and their names go
    // with them: for a commit, the names are taken before. An application message needs its
    // sender's alone.
    let before = if entry.commit {
        Names::of(group)
    } else {
        Names::default()
    };
    match group.process_message_at(entry.position, &entry.message.0) {
        Ok(Received::Application { sender, data }) => {
            println!(
                "{}: {}",
                name_of(group, sender),
                String::from_utf8_lossy(&data)
            );
        }
        Ok(Received::Commit(summary)) => print_commit(&before, group, &summary),
        Ok(Received::Removed { by }) => {
            let label = group_label(group.group_id());
            println!(
                "epoch {}: {} removed {}",
                entry.epoch + 1,
                before.name(by),
                member.config.name
            );
            // A removed member has no use for the group's secrets: they go with the group.
            member.forget(group.group_id())?;
            println!("removed from {label}");
            return Ok(Read::Removed);
        }
        Err(GroupError::Storage(error)) => {
            return Err(format!("writing the store: {error}"));
        }
        Err(error) => {
            eprintln!(
                "warning: skipped entry {} of {} (epoch {}): {error}",
                entry.position,
                group_label(group.group_id()),
                entry.epoch
            );
            group
                .set_log_position(entry.position + 1)
                .map_err(|e| format!("writing the store: {e}"))?;
        }
    }
    Ok(Read::Member)
}

/// Reads every entry of the log from the stored position to its current end.
pub(super) async fn catch_up(member: &Member, group: &mut AnyGroup) -> Result<Read, String> {
    read_before(member, group, None).await
}

/// Reads the entries from the stored position up to `end` (not included), or to the end of
/// the log.
async fn read_before(
    member: &Member,
    group: &mut AnyGroup,
    end: Option<u64>,
) -> Result<Read, String> {
    let group_id = group.group_id().to_vec();
    let mut from = group.log_position();
    loop {
        if end.is_some_and(|end| from >= end) {
            return Ok(Read::Member);
        }
        let page = member
            .server
            .fetch(&group_id, from)
            .await
            .map_err(|e| describe(&member.server, &e))?;
        if page.entries.is_empty() {
            return Ok(Read::Member);
        }
        for entry in &page.entries {
            if end.is_some_and(|end| entry.position >= end) {
                return Ok(Read::Member);
            }
            if apply(member, group, entry)? == Read::Removed {
                return Ok(Read::Removed);
            }
        }
        from = page.next;
    }
}

/// Reads what comes before this member's own entry at `position`: those entries were put
/// in the log between this member's last read and its submission (application messages of
/// the same epoch; a commit would have made the server refuse the submission).
async fn read_up_to(member: &Member, group: &mut AnyGroup, position: u64) -> Result<(), String> {
    match read_before(member, group, Some(position)).await? {
        Read::Member => Ok(()),
        Read::Removed => Err("this member was removed before its own entry".into()),
    }
}

fn removed(group_id: &[u8]) -> String {
    format!("this member was removed from {}", group_label(group_id))
}

/// What the server did with a message of this member's.
enum Placed {
    /// Put it in the log at this position.
    At(u64),
    /// Refused it: another commit took the epoch it was made for.
    Stale,
}

/// Submits a message of this member's to the group's log.
async fn place(member: &Member, group: &AnyGroup, message: &[u8]) -> Result<Placed, String> {
    let group_id = group.group_id();
    match member.server.submit(group_id, message).await {
        Ok(submitted) => Ok(Placed::At(submitted.position)),
        Err(error) if error.code() == Some(ErrorCode::StaleEpoch) => Ok(Placed::Stale),
        Err(error @ ClientError::Transport(_)) => {
            // The connection may have dropped after the server put the message in the log.
            // Then this member must take it as sent (merge its commit, pass over its
            // message), or its state and the log part ways: look for it. A message is never
            // made twice (fresh keys and nonces), so equal bytes are this very message.
            let entries = member
                .server
                .fetch_all(group_id, group.log_position())
                .await;
            match entries
                .ok()
                .and_then(|entries| entries.into_iter().find(|e| e.message.0 == message))
            {
                Some(entry) => Ok(Placed::At(entry.position)),
                None => Err(describe(&member.server, &error)),
            }
        }
        Err(error) => Err(describe(&member.server, &error)),
    }
}

/// How a commit is sent.
#[derive(Debug, Clone, Copy)]
pub(super) struct CommitPolicy {
    /// Read the log before committing.
    pub catch_up: bool,
    /// On `stale_epoch`, read the log and commit again.
    pub retry: bool,
}

/// What became of a commit.
#[derive(Debug)]
pub(super) enum Committed {
    /// The server put it in the log and this member merged it; the Welcome of an add.
    Merged { welcome: Option<Vec<u8>> },
    /// The server answered that another commit took `epoch` first, and the policy said not
    /// to retry: the group is as it was.
    Stale { epoch: u64 },
}

/// Makes a commit with `make`, submits it and merges it at the position the server gave.
/// A commit another member beat is made again for the new epoch (if the policy says so).
pub(super) async fn commit(
    member: &Member,
    group: &mut AnyGroup,
    policy: CommitPolicy,
    make: impl Fn(&AnyGroup) -> Result<AnyPendingCommit, String>,
) -> Result<Committed, String> {
    let group_id = group.group_id().to_vec();
    for attempt in 0..ATTEMPTS {
        if (policy.catch_up || attempt > 0) && catch_up(member, group).await? == Read::Removed {
            return Err(removed(&group_id));
        }
        let epoch = group.epoch();
        let pending = make(group)?;
        match place(member, group, pending.message()).await? {
            Placed::At(position) => {
                let welcome = pending.welcome().map(<[u8]>::to_vec);
                read_up_to(member, group, position).await?;
                let before = Names::of_leaves(group, &pending.summary().removed);
                let summary = group
                    .merge_pending_commit_at(position, pending)
                    .map_err(|e| format!("merging the commit: {e}"))?;
                print_commit(&before, group, &summary);
                return Ok(Committed::Merged { welcome });
            }
            Placed::Stale if !policy.retry => return Ok(Committed::Stale { epoch }),
            Placed::Stale => {}
        }
    }
    Err(format!(
        "gave up after {ATTEMPTS} attempts: other members' commits kept taking the epoch first"
    ))
}

/// Sends an application message: reads the log first (a message is sent in the current
/// epoch), and sends again if a commit took the epoch meanwhile.
pub(super) async fn send(member: &Member, group: &mut AnyGroup, text: &str) -> Result<u64, String> {
    let group_id = group.group_id().to_vec();
    for _ in 0..ATTEMPTS {
        if catch_up(member, group).await? == Read::Removed {
            return Err(removed(&group_id));
        }
        // The message key is spent in the store before the message leaves.
        let message = {
            let mut rng = rand::rng();
            group
                .encrypt_application_with_rng(text.as_bytes(), &mut rng)
                .map_err(|e| format!("encrypting: {e}"))?
        };
        match place(member, group, &message).await? {
            Placed::At(position) => {
                read_up_to(member, group, position).await?;
                group
                    .set_log_position(position + 1)
                    .map_err(|e| format!("writing the store: {e}"))?;
                return Ok(position);
            }
            Placed::Stale => {}
        }
    }
    Err(format!(
        "gave up after {ATTEMPTS} attempts: other members' commits kept changing the epoch"
    ))
}
