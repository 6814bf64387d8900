//! What others send: a commit for the current epoch, staged then merged, or application data
//! (see [`super::application`]).

use super::{
    ArtCommit, CommitSummary, Group, GroupError, StagedCommit, StagedOutcome, check_epoch,
    verify_key_packages,
};
use crate::art_tree::TreeError;
use crate::codec::Decode;
use crate::framing::open_public;
use crate::messages::{Content, MlsMessage, PublicMessage, Sender};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;

/// What [`Group::process_message`] found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Application data from a member.
    Application {
        /// The sender's leaf.
        sender: LeafIndex,
        /// The data.
        data: Vec<u8>,
    },
    /// A commit, now applied: the group is in a new epoch.
    Commit(CommitSummary),
    /// A commit that removes this member. The group can no longer be used.
    Removed {
        /// Who removed this member.
        by: LeafIndex,
    },
}

impl<S: CipherSuite> Group<S> {
    pub(super) fn check_epoch(&self, group_id: &[u8], epoch: u64) -> Result<(), GroupError> {
        check_epoch(&self.context, group_id, epoch)
    }

    /// Processes a message from the group: a commit for the current epoch (applied at once)
    /// or application data. A rejected message leaves the group exactly as it was.
    pub fn process_message(&mut self, message: &[u8]) -> Result<Received, GroupError> {
        self.check_active()?;
        match MlsMessage::<ArtCommit>::decode_exact(message)? {
            MlsMessage::PublicMessage(message) => {
                let staged = self.stage_public(&message)?;
                self.merge_staged_commit(staged)
            }
            MlsMessage::PrivateMessage(message) => self.process_private(&message),
            _ => Err(GroupError::Unsupported("not a group message")),
        }
    }

    /// Checks a received commit for the current epoch and computes the epoch it leads to,
    /// without changing the group (so an application can look at it first); apply it with
    /// [`Group::merge_staged_commit`]. [`Group::process_message`] does both.
    pub fn stage_commit(&self, message: &[u8]) -> Result<StagedCommit<S>, GroupError> {
        self.check_active()?;
        match MlsMessage::<ArtCommit>::decode_exact(message)? {
            MlsMessage::PublicMessage(message) => self.stage_public(&message),
            _ => Err(GroupError::Unsupported("commits travel as PublicMessages")),
        }
    }

    /// Applies a commit staged by [`Group::stage_commit`]. Fails, changing nothing, if the
    /// group moved on since.
    pub fn merge_staged_commit(&mut self, staged: StagedCommit<S>) -> Result<Received, GroupError> {
        self.check_active()?;
        match staged.outcome {
            StagedOutcome::Removed { by, epoch } => {
                if epoch != self.context.epoch {
                    return Err(GroupError::StalePendingCommit);
                }
                self.removed = true;
                self.persist()?;
                Ok(Received::Removed { by })
            }
            StagedOutcome::Next { next, summary } => {
                if next.context.epoch != self.next_epoch_number()? {
                    return Err(GroupError::StalePendingCommit);
                }
                self.enter(*next)?;
                Ok(Received::Commit(summary))
            }
        }
    }

    fn stage_public(
        &self,
        message: &PublicMessage<ArtCommit>,
    ) -> Result<StagedCommit<S>, GroupError> {
        self.check_epoch(&message.content.group_id, message.content.epoch)?;
        let Sender::Member(sender) = message.content.sender else {
            return Err(GroupError::Unsupported("a commit from a non-member"));
        };
        let verifying_key = self.members.verifying_key(sender)?;
        if sender == self.own_leaf() {
            return Err(GroupError::Unsupported(
                "a commit of this member's own: merge its pending commit",
            ));
        }
        let signed = open_public::<S, ArtCommit>(
            message,
            &self.context,
            &self.secrets.membership_key,
            &verifying_key,
        )?;
        let Content::Commit(commit) = &signed.content.content else {
            return Err(GroupError::Unsupported("proposals"));
        };
        let tag = signed
            .auth
            .confirmation_tag
            .clone()
            .ok_or(GroupError::InvalidCommit("no confirmation tag"))?;
        // A commit that removes this member is checked as far as it can be without the next
        // epoch's secrets (the tree change against the public tree, the LeafNodes and
        // KeyPackages) before it is believed: a forged removal is rejected like any bad commit.
        let staged = match self.tree.stage(&commit.tree_change, sender) {
            Err(TreeError::OwnLeafRemoved) => {
                self.member_changes(commit, sender, false)?;
                verify_key_packages::<S>(&commit.key_packages)?;
                return Ok(StagedCommit {
                    outcome: StagedOutcome::Removed {
                        by: sender,
                        epoch: self.context.epoch,
                    },
                });
            }
            staged => staged?,
        };
        let changes = self.member_changes(commit, sender, false)?;
        verify_key_packages::<S>(&commit.key_packages)?;
        let (next, summary) = self.next_epoch(staged, &signed, changes, Some(&tag))?;
        Ok(StagedCommit {
            outcome: StagedOutcome::Next {
                next: Box::new(next),
                summary,
            },
        })
    }
}
