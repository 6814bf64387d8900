//! The groups' public states as this process follows them, kept in step with the database.
//!
//! The database's log is the truth; a [`Followed`] state is the public group after the log's
//! first `next_position` entries. Before it checks a commit, a submit catches the state up
//! with the log (other processes may have appended), and the state only moves past the log
//! when the database accepted the commit: if the database refused it, the state is dropped
//! and rebuilt from the log on next use. So the state never runs ahead of the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use artmls::AnyPublicGroup;

use crate::api::{ErrorCode, MAX_PAGE_ENTRIES};

use super::Suites;
use super::error::ApiError;
use super::store::Database;

/// A group's public state after the log's first `next_position` entries.
#[derive(Debug, Default)]
pub(crate) struct Followed {
    /// None until built from the stored GroupInfo (first use, or after a refused write).
    pub(crate) public: Option<AnyPublicGroup>,
    pub(crate) next_position: u64,
}

impl Followed {
    /// Brings the state up to the end of the database's log, building it from the stored
    /// GroupInfo first if needed. Returns the public group.
    pub(crate) async fn catch_up(
        &mut self,
        database: &Database,
        suites: &Suites,
        group_id: &[u8],
    ) -> Result<&mut AnyPublicGroup, ApiError> {
        if self.public.is_none() {
            let row = database
                .group(group_id.to_vec())
                .await?
                .ok_or_else(ApiError::unknown_group)?;
            let provider = suites.provider(row.suite).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unavailable,
                    format!("the group's cipher suite {:#06x} is not served", row.suite),
                )
            })?;
            let public = provider.public_group(&row.group_info).map_err(|error| {
                ApiError::new(
                    ErrorCode::Unavailable,
                    format!("the stored GroupInfo does not check out: {error}"),
                )
            })?;
            self.public = Some(public);
            self.next_position = 0;
        }
        loop {
            let entries = database
                .entries(group_id.to_vec(), self.next_position, MAX_PAGE_ENTRIES)
                .await?;
            let read = entries.len();
            for entry in entries {
                if entry.commit {
                    let Some(public) = self.public.as_mut() else {
                        break;
                    };
                    // Checked when it was accepted; a failure here means the state and the
                    // log disagree, so the state is rebuilt next time.
                    if let Err(error) = public.process_commit(&entry.message.0) {
                        self.public = None;
                        return Err(ApiError::new(
                            ErrorCode::Unavailable,
                            format!(
                                "the logged commit at {} does not apply: {error}",
                                entry.position
                            ),
                        ));
                    }
                }
                self.next_position = entry.position + 1;
            }
            if read < MAX_PAGE_ENTRIES {
                break;
            }
        }
        self.public.as_mut().ok_or_else(|| {
            ApiError::new(ErrorCode::Unavailable, "the group's public state was lost")
        })
    }
}

/// Every group this process follows, each behind its own lock: one submit per group at a
/// time in this process (the database orders them across processes).
#[derive(Debug, Default)]
pub(crate) struct Following {
    groups: Mutex<HashMap<Vec<u8>, Arc<tokio::sync::Mutex<Followed>>>>,
}

impl Following {
    /// The group's state (empty until caught up).
    pub(crate) fn group(&self, group_id: &[u8]) -> Arc<tokio::sync::Mutex<Followed>> {
        let mut groups = self
            .groups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(groups.entry(group_id.to_vec()).or_default())
    }

    /// Stops following a group (one that turned out not to exist).
    pub(crate) fn forget(&self, group_id: &[u8]) {
        let mut groups = self
            .groups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        groups.remove(group_id);
    }

    /// How many groups are followed.
    pub(crate) fn count(&self) -> usize {
        self.groups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}
