//! `KeyPackage` and `LeafNode` (RFC 9420 §7.2, §10): a prospective member's signed offer to
//! join, and the signed record of a member in the tree.

use crate::codec::{CodecError, Decode, Encode, Reader, impl_codec_struct};
use crate::labels::{ref_hash, sign_with_label, verify_with_label};
use crate::messages::{Credential, Extension, MLS10, MessageError};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::SignatureScheme;
use artmls_crypto::SuiteId;

/// What a member supports (`Capabilities`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Capabilities {
    /// `ProtocolVersion versions<V>`.
    pub versions: Vec<u16>,
    /// `CipherSuite cipher_suites<V>`.
    pub cipher_suites: Vec<SuiteId>,
    /// `ExtensionType extensions<V>`.
    pub extensions: Vec<u16>,
    /// `ProposalType proposals<V>`.
    pub proposals: Vec<u16>,
    /// `CredentialType credentials<V>`.
    pub credentials: Vec<u16>,
}

impl_codec_struct!(Capabilities {
    versions,
    cipher_suites,
    extensions,
    proposals,
    credentials
});

/// The validity period of a KeyPackage's leaf (`Lifetime`), in seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lifetime {
    /// `uint64 not_before`.
    pub not_before: u64,
    /// `uint64 not_after`.
    pub not_after: u64,
}

impl_codec_struct!(Lifetime {
    not_before,
    not_after
});

impl Lifetime {
    /// Whether `now` (seconds since the Unix epoch) lies within the lifetime, bounds included.
    pub fn contains(&self, now: u64) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// Where a LeafNode comes from (`LeafNodeSource` and the field it selects).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LeafNodeSource {
    /// `key_package`, with its lifetime.
    KeyPackage(Lifetime),
    /// `update`.
    Update,
    /// `commit`, with the parent hash (RFC 9420 TreeKEM; carried but unused by ART).
    Commit(Vec<u8>),
}

impl Encode for LeafNodeSource {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match self {
            LeafNodeSource::KeyPackage(lifetime) => {
                out.push(1);
                lifetime.encode(out)
            }
            LeafNodeSource::Update => {
                out.push(2);
                Ok(())
            }
            LeafNodeSource::Commit(parent_hash) => {
                out.push(3);
                parent_hash.encode(out)
            }
        }
    }
}

impl Decode for LeafNodeSource {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        match u8::decode(reader)? {
            1 => Ok(LeafNodeSource::KeyPackage(Lifetime::decode(reader)?)),
            2 => Ok(LeafNodeSource::Update),
            3 => Ok(LeafNodeSource::Commit(Vec::decode(reader)?)),
            other => Err(CodecError::InvalidValue {
                what: "leaf node source",
                value: u64::from(other),
            }),
        }
    }
}

/// A member's signed record (`LeafNode`).
///
/// In an ART group the leaf's tree key is set by whoever placed the member (profile §5); this
/// record's `encryption_key` is the member's own HPKE key and becomes its ART leaf key at its
/// first Update.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeafNode {
    /// `HPKEPublicKey encryption_key` (`opaque <V>`).
    pub encryption_key: Vec<u8>,
    /// `SignaturePublicKey signature_key` (`opaque <V>`).
    pub signature_key: Vec<u8>,
    /// The member's credential.
    pub credential: Credential,
    /// What the member supports.
    pub capabilities: Capabilities,
    /// Where the leaf node comes from.
    pub leaf_node_source: LeafNodeSource,
    /// `Extension extensions<V>`.
    pub extensions: Vec<Extension>,
    /// `SignWithLabel(., "LeafNodeTBS", LeafNodeTBS)`.
    pub signature: Vec<u8>,
}

impl_codec_struct!(LeafNode {
    encryption_key,
    signature_key,
    credential,
    capabilities,
    leaf_node_source,
    extensions,
    signature
});

impl LeafNode {
    /// The encoded `LeafNodeTBS`. A leaf node from an update or a commit is bound to its group
    /// and position, so `group` (group id, leaf index) is required for those sources and
    /// ignored for `key_package`.
    pub fn to_be_signed(&self, group: Option<(&[u8], LeafIndex)>) -> Result<Vec<u8>, MessageError> {
        let mut out = Vec::new();
        self.encryption_key.encode(&mut out)?;
        self.signature_key.encode(&mut out)?;
        self.credential.encode(&mut out)?;
        self.capabilities.encode(&mut out)?;
        self.leaf_node_source.encode(&mut out)?;
        self.extensions.encode(&mut out)?;
        match (&self.leaf_node_source, group) {
            (LeafNodeSource::KeyPackage(_), _) => {}
            (_, Some((group_id, leaf))) => {
                group_id.to_vec().encode(&mut out)?;
                leaf.0.encode(&mut out)?;
            }
            (_, None) => return Err(MessageError::MissingLeafContext),
        }
        Ok(out)
    }

    /// Fills in `signature` with the signing key whose public half is `signature_key`.
    pub fn sign<S: CipherSuite>(
        &mut self,
        signing_key: &<S::Signature as SignatureScheme>::SigningKey,
        group: Option<(&[u8], LeafIndex)>,
    ) -> Result<(), MessageError> {
        let tbs = self.to_be_signed(group)?;
        self.signature = sign_with_label::<S>(signing_key, "LeafNodeTBS", &tbs)
            .map_err(MessageError::Signing)?;
        Ok(())
    }

    /// Verifies `signature` under `signature_key`.
    pub fn verify<S: CipherSuite>(
        &self,
        group: Option<(&[u8], LeafIndex)>,
    ) -> Result<(), MessageError> {
        let key = S::Signature::verifying_key_from_bytes(&self.signature_key)
            .map_err(MessageError::InvalidSignatureKey)?;
        self.verify_with_key::<S>(&key, group)
    }

    /// Verifies `signature` under `key`, the already parsed `signature_key` (so a caller that
    /// keeps the parsed key does not parse it twice).
    pub fn verify_with_key<S: CipherSuite>(
        &self,
        key: &<S::Signature as SignatureScheme>::VerifyingKey,
        group: Option<(&[u8], LeafIndex)>,
    ) -> Result<(), MessageError> {
        let tbs = self.to_be_signed(group)?;
        verify_with_label::<S>(key, "LeafNodeTBS", &tbs, &self.signature)
            .map_err(MessageError::InvalidSignature)
    }
}

/// A prospective member's signed offer to join (`KeyPackage`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyPackage {
    /// `ProtocolVersion version`.
    pub version: u16,
    /// `CipherSuite cipher_suite`.
    pub cipher_suite: SuiteId,
    /// `HPKEPublicKey init_key`: the Welcome's GroupSecrets are encrypted to it.
    pub init_key: Vec<u8>,
    /// The member's leaf node (source `key_package`).
    pub leaf_node: LeafNode,
    /// `Extension extensions<V>`.
    pub extensions: Vec<Extension>,
    /// `SignWithLabel(., "KeyPackageTBS", KeyPackageTBS)`.
    pub signature: Vec<u8>,
}

impl_codec_struct!(KeyPackage {
    version,
    cipher_suite,
    init_key,
    leaf_node,
    extensions,
    signature
});

impl KeyPackage {
    /// The encoded `KeyPackageTBS` (every field but the signature).
    pub fn to_be_signed(&self) -> Result<Vec<u8>, MessageError> {
        let mut out = Vec::new();
        self.version.encode(&mut out)?;
        self.cipher_suite.encode(&mut out)?;
        self.init_key.encode(&mut out)?;
        self.leaf_node.encode(&mut out)?;
        self.extensions.encode(&mut out)?;
        Ok(out)
    }

    /// Fills in `signature` with the leaf node's signing key.
    pub fn sign<S: CipherSuite>(
        &mut self,
        signing_key: &<S::Signature as SignatureScheme>::SigningKey,
    ) -> Result<(), MessageError> {
        let tbs = self.to_be_signed()?;
        self.signature = sign_with_label::<S>(signing_key, "KeyPackageTBS", &tbs)
            .map_err(MessageError::Signing)?;
        Ok(())
    }

    /// Checks the key package as RFC 9420 §10.1 asks, except the lifetime (which needs a
    /// clock: see [`Lifetime::contains`]) and the suite (the caller compares `cipher_suite`
    /// with its group's): version mls10, a leaf node of source `key_package` with a valid
    /// signature, a valid KeyPackage signature, and an init key distinct from the leaf's
    /// encryption key.
    pub fn verify<S: CipherSuite>(&self) -> Result<(), MessageError> {
        if self.version != MLS10 {
            return Err(MessageError::UnsupportedVersion(self.version));
        }
        if !matches!(
            self.leaf_node.leaf_node_source,
            LeafNodeSource::KeyPackage(_)
        ) {
            return Err(MessageError::WrongLeafNodeSource);
        }
        if self.init_key == self.leaf_node.encryption_key {
            return Err(MessageError::InitKeyReused);
        }
        // One key signs both the LeafNode and the KeyPackage: parsed once.
        let key = S::Signature::verifying_key_from_bytes(&self.leaf_node.signature_key)
            .map_err(MessageError::InvalidSignatureKey)?;
        self.leaf_node.verify_with_key::<S>(&key, None)?;
        let tbs = self.to_be_signed()?;
        verify_with_label::<S>(&key, "KeyPackageTBS", &tbs, &self.signature)
            .map_err(MessageError::InvalidSignature)
    }

    /// `KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage)`: how a Welcome
    /// names the member each `EncryptedGroupSecrets` is for.
    pub fn reference<S: CipherSuite>(&self) -> Result<Vec<u8>, MessageError> {
        let encoded = self.encode_to_vec()?;
        ref_hash::<S>("MLS 1.0 KeyPackage Reference", &encoded).map_err(MessageError::Crypto)
    }
}
