//! `GroupContext` (RFC 9420 §8.1) and `GroupInfo` (§12.4.3).

use crate::codec::{Encode, impl_codec_struct};
use crate::labels::{sign_with_label, verify_with_label};
use crate::messages::{Extension, MLS10, MessageError};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::SignatureScheme;
use artmls_crypto::SuiteId;

/// The state every member of an epoch agrees on (`GroupContext`); it enters the key schedule
/// and every signature of a member.
///
/// In an ART group `tree_hash` is the hash of the ART tree (profile §6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupContext {
    /// `ProtocolVersion version` (mls10).
    pub version: u16,
    /// `CipherSuite cipher_suite`.
    pub cipher_suite: SuiteId,
    /// `opaque group_id<V>`.
    pub group_id: Vec<u8>,
    /// `uint64 epoch`.
    pub epoch: u64,
    /// `opaque tree_hash<V>`.
    pub tree_hash: Vec<u8>,
    /// `opaque confirmed_transcript_hash<V>`.
    pub confirmed_transcript_hash: Vec<u8>,
    /// `Extension extensions<V>`.
    pub extensions: Vec<Extension>,
}

impl_codec_struct!(GroupContext {
    version,
    cipher_suite,
    group_id,
    epoch,
    tree_hash,
    confirmed_transcript_hash,
    extensions
});

impl GroupContext {
    /// A GroupContext of version mls10 with no extensions.
    pub fn new(
        cipher_suite: SuiteId,
        group_id: Vec<u8>,
        epoch: u64,
        tree_hash: Vec<u8>,
        confirmed_transcript_hash: Vec<u8>,
    ) -> Self {
        GroupContext {
            version: MLS10,
            cipher_suite,
            group_id,
            epoch,
            tree_hash,
            confirmed_transcript_hash,
            extensions: Vec::new(),
        }
    }
}

/// What a joiner learns about the group (`GroupInfo`), signed by the member who added it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupInfo {
    /// The group context of the epoch the joiner enters.
    pub group_context: GroupContext,
    /// `Extension extensions<V>` (an ART group puts its public tree here).
    pub extensions: Vec<Extension>,
    /// `MAC confirmation_tag` of the epoch.
    pub confirmation_tag: Vec<u8>,
    /// `uint32 signer`: the leaf of the member who signed.
    pub signer: u32,
    /// `SignWithLabel(., "GroupInfoTBS", GroupInfoTBS)`.
    pub signature: Vec<u8>,
}

impl_codec_struct!(GroupInfo {
    group_context,
    extensions,
    confirmation_tag,
    signer,
    signature
});

impl GroupInfo {
    /// The encoded `GroupInfoTBS` (every field but the signature).
    pub fn to_be_signed(&self) -> Result<Vec<u8>, MessageError> {
        let mut out = Vec::new();
        self.group_context.encode(&mut out)?;
        self.extensions.encode(&mut out)?;
        self.confirmation_tag.encode(&mut out)?;
        self.signer.encode(&mut out)?;
        Ok(out)
    }

    /// The signer's leaf.
    pub fn signer(&self) -> LeafIndex {
        LeafIndex(self.signer)
    }

    /// Fills in `signature`.
    pub fn sign<S: CipherSuite>(
        &mut self,
        signing_key: &<S::Signature as SignatureScheme>::SigningKey,
    ) -> Result<(), MessageError> {
        let tbs = self.to_be_signed()?;
        self.signature = sign_with_label::<S>(signing_key, "GroupInfoTBS", &tbs)
            .map_err(MessageError::Signing)?;
        Ok(())
    }

    /// Verifies `signature` under the signer's verifying key.
    pub fn verify<S: CipherSuite>(
        &self,
        signer_key: &<S::Signature as SignatureScheme>::VerifyingKey,
    ) -> Result<(), MessageError> {
        let tbs = self.to_be_signed()?;
        verify_with_label::<S>(signer_key, "GroupInfoTBS", &tbs, &self.signature)
            .map_err(MessageError::InvalidSignature)
    }
}
