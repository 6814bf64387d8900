//! An in-memory ordering service (the delivery service of profile §8), for tests, examples
//! and the demo.
//!
//! ART commits cannot be merged, so a group needs a total order of its commits: the service
//! accepts the first commit it sees for an epoch and refuses the others with
//! [`OrderingError::StaleEpoch`]; their senders process the winner and commit again. The
//! service reads only the clear header of each message (group id, epoch, content type), never
//! a key; it fans messages out in the order it accepted them.

use std::collections::HashMap;

use thiserror::Error;

use crate::codec::{CodecError, Decode, Reader};
use crate::messages::{ContentType, MLS10, WireFormat};

/// Why the service refused a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
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
    /// Reads the header of an MLSMessage holding a PublicMessage or a PrivateMessage.
    pub fn read(message: &[u8]) -> Result<Self, OrderingError> {
        let mut reader = Reader::new(message);
        if u16::decode(&mut reader)? != MLS10 {
            return Err(OrderingError::NotAGroupMessage("unknown protocol version"));
        }
        let wire_format = WireFormat::decode(&mut reader)?;
        let group_id = Vec::<u8>::decode(&mut reader)?;
        let epoch = u64::decode(&mut reader)?;
        let content_type = match wire_format {
            WireFormat::PublicMessage => {
                // Sender, then authenticated data, then the content type.
                match u8::decode(&mut reader)? {
                    1 | 2 => {
                        u32::decode(&mut reader)?;
                    }
                    3 | 4 => {}
                    _ => return Err(OrderingError::NotAGroupMessage("unknown sender type")),
                }
                reader.read_opaque()?;
                ContentType::decode(&mut reader)?
            }
            WireFormat::PrivateMessage => ContentType::decode(&mut reader)?,
            _ => {
                return Err(OrderingError::NotAGroupMessage(
                    "not a PublicMessage or PrivateMessage",
                ));
            }
        };
        Ok(MessageHeader {
            group_id,
            epoch,
            is_commit: content_type == ContentType::Commit,
        })
    }
}

#[derive(Debug, Default)]
struct GroupLog {
    epoch: u64,
    messages: Vec<Vec<u8>>,
}

/// The service: per group, its epoch and the messages accepted so far, in order.
#[derive(Debug, Default)]
pub struct OrderingService {
    groups: HashMap<Vec<u8>, GroupLog>,
}

impl OrderingService {
    /// An empty service.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a group at `epoch` (its creator's epoch after creation).
    pub fn create_group(&mut self, group_id: &[u8], epoch: u64) -> Result<(), OrderingError> {
        if self.groups.contains_key(group_id) {
            return Err(OrderingError::GroupExists);
        }
        self.groups.insert(
            group_id.to_vec(),
            GroupLog {
                epoch,
                messages: Vec::new(),
            },
        );
        Ok(())
    }

    /// Takes a message for its group: a commit only for the group's current epoch (the first
    /// one wins and moves the group on), an application message for the current epoch.
    /// Returns the message's position in the group's log.
    pub fn submit(&mut self, message: &[u8]) -> Result<usize, OrderingError> {
        let header = MessageHeader::read(message)?;
        let log = self
            .groups
            .get_mut(&header.group_id)
            .ok_or(OrderingError::UnknownGroup)?;
        let current = log.epoch;
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
            log.epoch += 1;
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
        self.groups.get(group_id).map(|log| log.epoch)
    }
}
