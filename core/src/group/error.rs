//! Why a group operation failed or a message was rejected.

use crate::storage::StoreError;
use thiserror::Error;

use super::IdentityRejected;
use crate::art_tree::TreeError;
use crate::codec::CodecError;
use crate::error::CryptoError;
use crate::framing::FramingError;
use crate::key_schedule::KeyScheduleError;
use crate::messages::MessageError;
use crate::secret_tree::SecretTreeError;
use crate::tree_math::LeafIndex;
use crate::welcome::WelcomeError;

/// Why a group operation failed or a message was rejected.
///
/// Every rejection leaves the group exactly as it was. For a received message the remedy is
/// in the variant: a [`GroupError::StaleEpoch`] commit lost the race for its epoch (its sender
/// rebuilds); a [`GroupError::FutureEpoch`] message arrived early (process the commits before
/// it first); anything else is a broken or malicious sender (drop the message).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum GroupError {
    /// The message is for an epoch the group has left. For a commit: another commit won the
    /// epoch; drop yours, process the winner, and commit again.
    #[error("stale epoch: the message is for epoch {got}, the group is at epoch {current}")]
    StaleEpoch {
        /// The group's epoch.
        current: u64,
        /// The message's epoch.
        got: u64,
    },
    /// The message is for an epoch the group has not reached: process the commits before it.
    #[error("future epoch: the message is for epoch {got}, the group is at epoch {current}")]
    FutureEpoch {
        /// The group's epoch.
        current: u64,
        /// The message's epoch.
        got: u64,
    },
    /// The message is for another group.
    #[error("the message is for another group")]
    WrongGroup,
    /// The sender is not a member (no LeafNode at its leaf).
    #[error("unknown sender {0:?}")]
    UnknownSender(LeafIndex),
    /// The message is of a kind an ART group does not take (a proposal, a commit sent as a
    /// PrivateMessage, a Welcome where a group message was expected, ...).
    #[error("unsupported message: {0}")]
    Unsupported(&'static str),
    /// The commit is not well formed (key packages or leaf node missing or extra, a leaf node
    /// that does not match its tree key, a KeyPackage of another suite).
    #[error("invalid commit: {0}")]
    InvalidCommit(&'static str),
    /// The pending commit was made for another epoch or tree version.
    #[error("the pending commit is stale: the group moved on")]
    StalePendingCommit,
    /// This member was removed; the group can no longer be used.
    #[error("this member was removed from the group")]
    NotAMember,
    /// This member joined with a leaf secret its adder knows: commit an update first (see
    /// [`GroupConfig::update_first`](super::GroupConfig::update_first)).
    #[error("commit an update first: the adder still knows this member's leaf key")]
    UpdateRequired,
    /// The Welcome does not carry this member's leaf, or its tree does not check out.
    #[error("invalid Welcome: {0}")]
    InvalidWelcome(&'static str),
    /// The computed tree hash differs from the GroupInfo's: the tree is not the group's.
    #[error("the tree does not match the group's tree hash")]
    TreeHashMismatch,
    /// Two leaves would share a signature key or an encryption key (RFC 9420 §7.3): the same
    /// KeyPackage twice, or a LeafNode copying another member's key. Drop the commit or the
    /// Welcome.
    #[error("two leaves would share a {0}")]
    DuplicateKey(&'static str),
    /// A newcomer's KeyPackage or a new LeafNode is not acceptable here: expired or not yet
    /// valid, or its capabilities lack this group's version, suite or credential type.
    #[error("unacceptable LeafNode: {0}")]
    InvalidLeafNode(&'static str),
    /// The application's identity policy refused a newcomer or an Update.
    #[error(transparent)]
    IdentityRejected(#[from] IdentityRejected),
    /// The epoch counter would overflow: the group cannot take another commit.
    #[error("the epoch counter is exhausted")]
    EpochExhausted,
    /// Persisted state that cannot be restored (another format version, another suite,
    /// damaged bytes).
    #[error("invalid persisted state: {0}")]
    InvalidState(&'static str),
    /// Encoding or decoding failed.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// Framing rejected the message.
    #[error(transparent)]
    Framing(#[from] FramingError),
    /// The tree rejected the change.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// The key schedule failed (a confirmation tag mismatch, for instance).
    #[error(transparent)]
    KeySchedule(#[from] KeyScheduleError),
    /// A signed structure (KeyPackage, LeafNode, GroupInfo) was rejected.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The Welcome could not be opened.
    #[error(transparent)]
    Welcome(#[from] WelcomeError),
    /// The secret tree refused a key.
    #[error(transparent)]
    SecretTree(#[from] SecretTreeError),
    /// A primitive failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The store failed or refused a record. After a failed write the group must be loaded
    /// again from its store ([`StoreError::Unsynced`]).
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// The log entry at this position was processed already: the group has read up to
    /// `next`. Go on from there.
    #[error("log position {position} was processed already; the group reads on from {next}")]
    AlreadyProcessed {
        /// The position given.
        position: u64,
        /// The next position the group expects.
        next: u64,
    },
}
