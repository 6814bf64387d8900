//! An in-memory ordering service (the delivery service of profile §8), for tests, examples
//! and the demo.
//!
//! ART commits cannot be merged, so a group needs a total order of its commits: the service
//! accepts the first valid commit it sees for an epoch and refuses the others with
//! [`OrderingError::StaleEpoch`]; their senders process the winner and commit again. It fans
//! messages out in the order it accepted them.
//!
//! The service holds no key, but it follows each group's public state ([`PublicGroup`]: tree,
//! LeafNodes, epoch, transcript), so before it orders a commit it checks everything that
//! needs no secret: that it decodes, is signed by a current member, and that its tree change
//! and LeafNodes follow the rules. Junk and a non-member's commit cannot move a group on. Of
//! an application message (encrypted, its sender hidden) it reads the clear header only.
//!
//! What it cannot check is the confirmation tag and the keys a member recomputes on its own
//! path. A member that rejects a commit the service accepted is out of the group's history:
//! it asks to be removed and re-added (a fresh KeyPackage, a Welcome from a member that
//! accepted the commit), which the tests show.

use std::collections::HashMap;

use thiserror::Error;

use crate::codec::{CodecError, Decode};
use crate::group::{ArtCommit, GroupError, PublicGroup};
use crate::messages::{ContentType, MlsMessage};
use crate::suite::CipherSuite;

/// Why the service refused a message.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OrderingError {
    /// Another commit already took this epoch (or the message is for an epoch the group
    /// left): process the group's messages, then send again.
    #[error("stale epoch: the group is at epoch {current}, the message is for epoch {got}")]
    StaleEpoch {
        /// The group's epoch at the service.
        current: u64,
        /// The message's epoch.
        got: u64,
    },
    /// The message is for an epoch the group has not reached.
    #[error("future epoch: the group is at epoch {current}, the message is for epoch {got}")]
    FutureEpoch {
        /// The group's epoch at the service.
        current: u64,
        /// The message's epoch.
        got: u64,
    },
    /// The service does not know the group: register it with [`OrderingService::create_group`].
    #[error("unknown group")]
    UnknownGroup,
    /// The group is already registered.
    #[error("the group already exists")]
    GroupExists,
    /// Not a group message (a Welcome or KeyPackage, say), or not decodable.
    #[error("not a group message: {0}")]
    NotAGroupMessage(&'static str),
    /// The commit is not valid for the group's public state (not signed by a current member,
    /// a tree change against the rules, ...): the sender is broken or malicious; nothing was
    /// ordered. Also returned by [`OrderingService::create_group`] for a GroupInfo that does
    /// not check out.
    #[error("refused: {0}")]
    Invalid(#[from] GroupError),
    /// The header does not decode.
    #[error(transparent)]
    Codec(#[from] CodecError),
}

/// The clear header of a group message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHeader {
    /// The group id.
    pub group_id: Vec<u8>,
    /// The epoch the message belongs to.
    pub epoch: u64,
    /// Whether the message is a commit (which moves the group to the next epoch).
    pub is_commit: bool,
}

impl MessageHeader {
    /// Reads the header of an MLSMessage holding a PublicMessage or a PrivateMessage. The
    /// whole message must decode, with nothing after it, so bytes that only begin like a
    /// message are refused here rather than ordered; a PrivateMessage's content stays
    /// encrypted and unread.
    pub fn read(message: &[u8]) -> Result<Self, OrderingError> {
        match MlsMessage::<ArtCommit>::decode_exact(message)? {
            MlsMessage::PublicMessage(public) => Ok(MessageHeader {
                is_commit: public.content.content.content_type() == ContentType::Commit,
                group_id: public.content.group_id,
                epoch: public.content.epoch,
            }),
            MlsMessage::PrivateMessage(private) => Ok(MessageHeader {
                is_commit: private.content_type == ContentType::Commit,
                group_id: private.group_id,
                epoch: private.epoch,
            }),
            _ => Err(OrderingError::NotAGroupMessage(
                "not a PublicMessage or PrivateMessage",
            )),
        }
    }
}

#[derive(Debug)]
struct GroupLog<S: CipherSuite> {
    public: PublicGroup<S>,
    messages: Vec<Vec<u8>>,
}

/// The service: per group, its public state and the messages accepted so far, in order.
#[derive(Debug)]
pub struct OrderingService<S: CipherSuite> {
    groups: HashMap<Vec<u8>, GroupLog<S>>,
}

impl<S: CipherSuite> Default for OrderingService<S> {
    fn default() -> Self {
        OrderingService {
            groups: HashMap::new(),
        }
    }
}

impl<S: CipherSuite> OrderingService<S> {
    /// An empty service.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a group from a member's GroupInfo ([`crate::group::Group::public_group_info`]),
    /// checked as [`PublicGroup::from_group_info`] checks it.
    pub fn create_group(&mut self, group_info: &[u8]) -> Result<(), OrderingError> {
        let public = PublicGroup::<S>::from_group_info(group_info)?;
        if self.groups.contains_key(public.group_id()) {
            return Err(OrderingError::GroupExists);
        }
        self.groups.insert(
            public.group_id().to_vec(),
            GroupLog {
                public,
                messages: Vec::new(),
            },
        );
        Ok(())
    }

    /// Takes a message for its group: a commit only for the group's current epoch and only if
    /// it is valid for the group's public state (the first one wins and moves the group on),
    /// an application message for the current epoch. Returns the message's position in the
    /// group's log.
    pub fn submit(&mut self, message: &[u8]) -> Result<usize, OrderingError> {
        let header = MessageHeader::read(message)?;
        let log = self
            .groups
            .get_mut(&header.group_id)
            .ok_or(OrderingError::UnknownGroup)?;
        let current = log.public.epoch();
        if header.epoch < current {
            return Err(OrderingError::StaleEpoch {
                current,
                got: header.epoch,
            });
        }
        if header.epoch > current {
            return Err(OrderingError::FutureEpoch {
                current,
                got: header.epoch,
            });
        }
        if header.is_commit {
            log.public.process_commit(message)?;
        }
        log.messages.push(message.to_vec());
        Ok(log.messages.len() - 1)
    }

    /// The group's messages from position `from` on, in the order they were accepted.
    pub fn fetch(&self, group_id: &[u8], from: usize) -> &[Vec<u8>] {
        self.groups
            .get(group_id)
            .and_then(|log| log.messages.get(from..))
            .unwrap_or(&[])
    }

    /// The group's epoch at the service.
    pub fn epoch(&self, group_id: &[u8]) -> Option<u64> {
        self.groups.get(group_id).map(|log| log.public.epoch())
    }

    /// The group's public state as the service follows it.
    pub fn public_group(&self, group_id: &[u8]) -> Option<&PublicGroup<S>> {
        self.groups.get(group_id).map(|log| &log.public)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::group::{Group, GroupConfig, Identity};

    type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

    /// Bytes that only begin like a group message are not ordered: the whole message must
    /// decode, with nothing after it.
    #[test]
    fn a_header_is_read_only_from_a_whole_message() {
        let mut rng = StdRng::seed_from_u64(7);
        let identity = Identity::<Suite>::new_with_rng("alice", &mut rng);
        let mut group = Group::<Suite>::create_with_rng(
            identity,
            b"g".to_vec(),
            GroupConfig::default(),
            &mut rng,
        )
        .expect("group");
        let message = group
            .encrypt_application_with_rng(b"hello", &mut rng)
            .expect("encrypt");
        let header = MessageHeader::read(&message).expect("a whole message");
        assert_eq!(header.group_id, b"g");
        assert_eq!(header.epoch, 0);
        assert!(!header.is_commit);
        let commit = group.commit_update_with_rng(&mut rng).expect("commit");
        assert!(
            MessageHeader::read(commit.message())
                .expect("commit")
                .is_commit
        );

        assert!(MessageHeader::read(&message[..message.len() - 1]).is_err());
        let mut longer = message.clone();
        longer.push(0);
        assert!(MessageHeader::read(&longer).is_err());
        // The header alone (version, wire format, group id, epoch, content type).
        assert!(MessageHeader::read(&message[..2 + 2 + 2 + 8 + 1]).is_err());
    }
}
