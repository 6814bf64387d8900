//! Past epochs a member keeps for a while, so that application messages sent just before a
//! commit, and delivered after it, still decrypt.
//!
//! Only what decrypting needs is kept: the epoch's GroupContext (signatures cover it), its
//! sender-data secret and its secret tree, which goes on ratcheting (and erasing) as late
//! messages are read. Keeping an epoch is a trade: its keys stay on the device until it
//! leaves the window ([`GroupConfig::past_epochs`](super::GroupConfig::past_epochs)), so a
//! larger window costs forward secrecy.
//!
//! ```text
//! struct {
//!     GroupContext context;
//!     opaque sender_data_secret<V>;
//!     SecretTree secret_tree;        // see SecretTree::encode_state
//! } PastEpoch;
//! ```

use crate::codec::{CodecError, Decode, Encode, Reader, varint_len};
use crate::messages::GroupContext;
use crate::secret::Secret;
use crate::secret_tree::SecretTree;
use crate::suite::CipherSuite;

/// One past epoch's decryption state.
pub(crate) struct PastEpoch<S: CipherSuite> {
    pub(crate) context: GroupContext,
    pub(crate) sender_data_secret: Secret,
    pub(crate) secret_tree: SecretTree<S>,
    /// Whether a late message moved its secret tree since the store last wrote it.
    pub(crate) touched: bool,
}

impl<S: CipherSuite> PastEpoch<S> {
    /// The epoch number.
    pub(crate) fn epoch(&self) -> u64 {
        self.context.epoch
    }

    /// The encoding above, in a buffer sized before any secret is written.
    pub(crate) fn encode(&self) -> Result<Secret, CodecError> {
        let context = self.context.encode_to_vec()?;
        let secret_tree = Secret::write_exact(0, |out| self.secret_tree.encode_state(out))?;
        let sender_data_len = self.sender_data_secret.len();
        let len = context.len() + varint_len(sender_data_len) + sender_data_len + secret_tree.len();
        Secret::write_exact(len, |out| {
            out.extend_from_slice(&context);
            self.sender_data_secret.encode(out)?;
            out.extend_from_slice(secret_tree.as_bytes());
            Ok(())
        })
    }

    /// Reads one past epoch.
    pub(crate) fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(PastEpoch {
            context: GroupContext::decode(reader)?,
            sender_data_secret: Secret::decode(reader)?,
            secret_tree: SecretTree::decode_state(reader)?,
            touched: false,
        })
    }
}
