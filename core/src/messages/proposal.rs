//! RFC 9420 `Proposal` and `Commit` syntax (§12), including `UpdatePath`.
//!
//! An ART group's commit body is the profile's own (the changed nodes' public keys, see
//! the ART tree layer); these structures are decoded and encoded where RFC 9420 messages carry
//! them (the interop vectors, framing).

use crate::codec::{CodecError, Decode, Encode, Reader, impl_codec_struct};
use crate::messages::{Extension, KeyPackage, LeafNode, PreSharedKeyId};
use artmls_crypto::HpkeCiphertext;
use artmls_crypto::SuiteId;

/// `Add`: a KeyPackage to add.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Add {
    /// The newcomer's key package.
    pub key_package: KeyPackage,
}

impl_codec_struct!(Add { key_package });

/// `Update`: the sender's new leaf node.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Update {
    /// The new leaf node.
    pub leaf_node: LeafNode,
}

impl_codec_struct!(Update { leaf_node });

/// `Remove`: the leaf to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Remove {
    /// `uint32 removed`.
    pub removed: u32,
}

impl_codec_struct!(Remove { removed });

/// `ReInit`: restart the group with new parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReInit {
    /// `opaque group_id<V>`.
    pub group_id: Vec<u8>,
    /// `ProtocolVersion version`.
    pub version: u16,
    /// `CipherSuite cipher_suite`.
    pub cipher_suite: SuiteId,
    /// `Extension extensions<V>`.
    pub extensions: Vec<Extension>,
}

impl_codec_struct!(ReInit {
    group_id,
    version,
    cipher_suite,
    extensions
});

/// `ExternalInit`: the KEM output of an external joiner.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalInit {
    /// `opaque kem_output<V>`.
    pub kem_output: Vec<u8>,
}

impl_codec_struct!(ExternalInit { kem_output });

/// `Proposal` (`ProposalType` and the body it selects). Unknown proposal types cannot be
/// skipped (the body has no length) and fail to decode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Proposal {
    /// `add` (1).
    Add(Box<Add>),
    /// `update` (2).
    Update(Box<Update>),
    /// `remove` (3).
    Remove(Remove),
    /// `psk` (4).
    PreSharedKey(PreSharedKeyId),
    /// `reinit` (5).
    ReInit(ReInit),
    /// `external_init` (6).
    ExternalInit(ExternalInit),
    /// `group_context_extensions` (7).
    GroupContextExtensions(Vec<Extension>),
}

impl Proposal {
    /// The `ProposalType`.
    pub fn proposal_type(&self) -> u16 {
        match self {
            Proposal::Add(_) => 1,
            Proposal::Update(_) => 2,
            Proposal::Remove(_) => 3,
            Proposal::PreSharedKey(_) => 4,
            Proposal::ReInit(_) => 5,
            Proposal::ExternalInit(_) => 6,
            Proposal::GroupContextExtensions(_) => 7,
        }
    }
}

impl Encode for Proposal {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.proposal_type().encode(out)?;
        match self {
            Proposal::Add(add) => add.encode(out),
            Proposal::Update(update) => update.encode(out),
            Proposal::Remove(remove) => remove.encode(out),
            Proposal::PreSharedKey(psk) => psk.encode(out),
            Proposal::ReInit(reinit) => reinit.encode(out),
            Proposal::ExternalInit(init) => init.encode(out),
            Proposal::GroupContextExtensions(extensions) => extensions.encode(out),
        }
    }
}

impl Decode for Proposal {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(match u16::decode(reader)? {
            1 => Proposal::Add(Box::decode(reader)?),
            2 => Proposal::Update(Box::decode(reader)?),
            3 => Proposal::Remove(Remove::decode(reader)?),
            4 => Proposal::PreSharedKey(PreSharedKeyId::decode(reader)?),
            5 => Proposal::ReInit(ReInit::decode(reader)?),
            6 => Proposal::ExternalInit(ExternalInit::decode(reader)?),
            7 => Proposal::GroupContextExtensions(Vec::decode(reader)?),
            other => {
                return Err(CodecError::InvalidValue {
                    what: "proposal type",
                    value: u64::from(other),
                });
            }
        })
    }
}

/// `ProposalOrRef`: a proposal inline, or the reference of one sent before.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProposalOrRef {
    /// `proposal` (1).
    Proposal(Proposal),
    /// `reference` (2): `ProposalRef`, a `RefHash` of the proposal's AuthenticatedContent.
    Reference(Vec<u8>),
}

impl Encode for ProposalOrRef {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match self {
            ProposalOrRef::Proposal(proposal) => {
                out.push(1);
                proposal.encode(out)
            }
            ProposalOrRef::Reference(reference) => {
                out.push(2);
                reference.encode(out)
            }
        }
    }
}

impl Decode for ProposalOrRef {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        match u8::decode(reader)? {
            1 => Ok(ProposalOrRef::Proposal(Proposal::decode(reader)?)),
            2 => Ok(ProposalOrRef::Reference(Vec::decode(reader)?)),
            other => Err(CodecError::InvalidValue {
                what: "proposal-or-ref type",
                value: u64::from(other),
            }),
        }
    }
}

/// `UpdatePathNode` (RFC 9420 TreeKEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePathNode {
    /// `HPKEPublicKey encryption_key`.
    pub encryption_key: Vec<u8>,
    /// `HPKECiphertext encrypted_path_secret<V>`.
    pub encrypted_path_secret: Vec<HpkeCiphertext>,
}

impl_codec_struct!(UpdatePathNode {
    encryption_key,
    encrypted_path_secret
});

/// `UpdatePath` (RFC 9420 TreeKEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePath {
    /// The committer's new leaf node.
    pub leaf_node: LeafNode,
    /// `UpdatePathNode nodes<V>`.
    pub nodes: Vec<UpdatePathNode>,
}

impl_codec_struct!(UpdatePath { leaf_node, nodes });

/// `Commit`: the proposals it applies and, optionally, a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// `ProposalOrRef proposals<V>`.
    pub proposals: Vec<ProposalOrRef>,
    /// `optional<UpdatePath> path`.
    pub path: Option<UpdatePath>,
}

impl_codec_struct!(Commit { proposals, path });
