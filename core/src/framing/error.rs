//! Why a message could not be protected, or was rejected.

use thiserror::Error;

use crate::codec::CodecError;
use crate::error::CryptoError;
use crate::messages::WireFormat;
use crate::secret_tree::SecretTreeError;
use crate::tree_math::LeafIndex;

/// Why a message could not be protected, or was rejected. A rejected message must be dropped;
/// nothing in the group's state was changed by it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FramingError {
    /// The message (or its decrypted content) is not a valid encoding.
    #[error("malformed message: {0}")]
    Codec(#[from] CodecError),
    /// The message belongs to another group.
    #[error("the message is for another group")]
    WrongGroup,
    /// The message belongs to another epoch of the group (stale or from the future).
    #[error("the message is for epoch {got}, the group is at epoch {expected}")]
    WrongEpoch {
        /// The group's epoch.
        expected: u64,
        /// The message's epoch.
        got: u64,
    },
    /// The wire format does not fit the operation (e.g. encrypting content signed for a
    /// PublicMessage).
    #[error("content signed for wire format {0:?} cannot go in this message")]
    WrongWireFormat(WireFormat),
    /// Application data must be encrypted (RFC 9420 §6.2).
    #[error("application data cannot be sent as a PublicMessage")]
    ApplicationInPublicMessage,
    /// Only members send PrivateMessages.
    #[error("a PrivateMessage must come from a member")]
    SenderNotMember,
    /// A commit without a confirmation tag, or other content with one.
    #[error("the confirmation tag must be present exactly for commits")]
    ConfirmationTagPresence,
    /// The sender is not known (no verifying key for its leaf).
    #[error("unknown sender {0:?}")]
    UnknownSender(LeafIndex),
    /// The signature does not verify.
    #[error("invalid signature: {0}")]
    InvalidSignature(CryptoError),
    /// A member's PublicMessage has no membership tag, or a non-member's has one.
    #[error("membership tag missing or unexpected")]
    MembershipTagPresence,
    /// The membership tag does not match: the sender does not hold this epoch's membership key.
    #[error("membership tag mismatch")]
    MembershipTagMismatch,
    /// The sender data does not decrypt (wrong epoch, tampered, or not for this group).
    #[error("sender data does not decrypt")]
    SenderDataDecryption,
    /// The content does not decrypt with the key of the sender's generation.
    #[error("content does not decrypt")]
    ContentDecryption,
    /// The padding of a decrypted content has a nonzero byte.
    #[error("nonzero padding")]
    NonZeroPadding,
    /// The secret tree refused the generation (replay, too old, too far ahead, bad leaf).
    #[error(transparent)]
    SecretTree(#[from] SecretTreeError),
    /// Signing or another primitive failed on the sending side.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
