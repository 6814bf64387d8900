//! Why a tree operation or a received change was rejected.

use thiserror::Error;

use crate::error::CryptoError;
use crate::tree_math::{LeafIndex, NodeIndex};

use super::MAX_LEAVES;

/// Why a tree operation or a received change was rejected. A rejected change leaves the
/// member's state as it was.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TreeError {
    /// A received public key does not decode or validate.
    #[error("invalid public key for {node:?}: {source}")]
    InvalidPublicKey {
        /// Where the key was to go.
        node: NodeIndex,
        /// What the DH group said.
        source: CryptoError,
    },
    /// A public key recomputed from this member's secrets differs from the one sent: the
    /// sender computed a different tree (or lies about it). Drop the change.
    #[error("recomputed public key of {0:?} differs from the transmitted one")]
    PublicKeyMismatch(NodeIndex),
    /// The change carries more or fewer parent keys than its leaf changes imply.
    #[error("expected {expected} parent keys, got {got}")]
    WrongKeyCount {
        /// The number the tree's shape implies.
        expected: usize,
        /// The number received.
        got: usize,
    },
    /// A leaf change names a leaf that cannot take it (not a member for an update or remove,
    /// not the leftmost free slot for an add, or outside the tree).
    #[error("{leaf:?} cannot take this change: {reason}")]
    InvalidLeaf {
        /// The leaf.
        leaf: LeafIndex,
        /// Why.
        reason: &'static str,
    },
    /// The change removes this member: it is no longer in the group. Returned only once the
    /// change has passed every check that can be made without the next epoch's secrets.
    #[error("this member's own leaf is removed by the change")]
    OwnLeafRemoved,
    /// The change removes its own sender. A member never removes itself (it would choose its
    /// own tombstone's secret and keep reading): drop the commit.
    #[error("the sender removes itself")]
    SelfRemoval,
    /// The sender of the change is not a member of the tree.
    #[error("the sender {0:?} is not a member")]
    SenderNotMember(LeafIndex),
    /// The change mixes kinds of leaf change that one commit cannot carry together (an update
    /// is alone; adds are only adds; removes come with exactly their transfers).
    #[error("a change cannot mix these leaf changes: {0}")]
    MixedChange(&'static str),
    /// The transfers of a remove are not exactly the live tombstones the removed members own,
    /// in leaf order, before the removes (profile revision 2 §5, Transfer).
    #[error("the transfers do not match the tombstones the removed members own")]
    WrongTransfers,
    /// The change updates this member's own leaf, which only the member itself does.
    #[error("the change updates this member's own leaf")]
    OwnLeafUpdated,
    /// A change has no leaf changes.
    #[error("empty change")]
    EmptyChange,
    /// The tree would exceed [`crate::tree_math::MAX_LEAVES`].
    #[error("tree would exceed {MAX_LEAVES} leaves")]
    TreeTooLarge,
    /// A pending change was prepared on another version of the tree.
    #[error("the pending change was made for another version of the tree")]
    StalePendingChange,
    /// A public tree handed over (in a Welcome) is not well formed.
    #[error("malformed tree: {0}")]
    MalformedTree(&'static str),
    /// A primitive failed (a zero DH output, for instance).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
