//! What an ART group sends that RFC 9420 does not define: the commit body and the public tree
//! a Welcome carries.

use crate::art_tree::{LeafKind, TreeChange};
use crate::codec::{CodecError, Decode, Encode, Reader, impl_codec_struct};
use crate::messages::{KeyPackage, LeafNode};
use crate::tree_math::LeafIndex;

/// The body of an ART commit (content type `commit` in an ART group).
///
/// ```text
/// struct {
///     TreeChange tree_change;          // the leaf changes and changed parent keys
///     KeyPackage key_packages<V>;      // one per added leaf, in the order of the adds
///     optional<LeafNode> leaf_node;    // the sender's new LeafNode, exactly for an update
/// } ArtCommit;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtCommit {
    /// The tree change.
    pub tree_change: TreeChange,
    /// The newcomers' KeyPackages, in the order of the `Add` leaf changes.
    pub key_packages: Vec<KeyPackage>,
    /// The sender's new signed LeafNode, whose `encryption_key` is its new ART leaf key.
    pub leaf_node: Option<LeafNode>,
}

impl_codec_struct!(ArtCommit {
    tree_change,
    key_packages,
    leaf_node
});

/// The extension type of the ART public tree in a GroupInfo (RFC 9420 private-use range).
pub const ART_RATCHET_TREE_EXTENSION: u16 = 0xF0A1;

/// The public tree a GroupInfo carries for newcomers.
///
/// ```text
/// struct {
///     uint8 kind;                          // 0 blank, 1 member, 2 tombstone
///     select (kind) { case tombstone: uint32 owner; }   // the member that drew its secret
/// } LeafKind;
///
/// struct {
///     LeafKind leaf_kinds<V>;              // one per leaf
///     optional<HPKEPublicKey> keys<V>;     // one per node
///     optional<LeafNode> leaf_nodes<V>;    // one per leaf: present exactly for members
/// } ArtRatchetTree;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtRatchetTree {
    /// What each leaf holds.
    pub leaf_kinds: Vec<LeafKind>,
    /// Each node's public key.
    pub keys: Vec<Option<Vec<u8>>>,
    /// Each member's LeafNode (boxed: an absent one costs a pointer in memory, as it costs a
    /// byte on the wire).
    pub leaf_nodes: Vec<Option<Box<LeafNode>>>,
}

impl Encode for LeafKind {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match self {
            LeafKind::Blank => 0u8.encode(out),
            LeafKind::Member => 1u8.encode(out),
            LeafKind::Tombstone { owner } => {
                2u8.encode(out)?;
                owner.0.encode(out)
            }
        }
    }
}

impl Decode for LeafKind {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        match u8::decode(reader)? {
            0 => Ok(LeafKind::Blank),
            1 => Ok(LeafKind::Member),
            2 => Ok(LeafKind::Tombstone {
                owner: LeafIndex::decode(reader)?,
            }),
            other => Err(CodecError::InvalidValue {
                what: "leaf kind",
                value: u64::from(other),
            }),
        }
    }
}

impl_codec_struct!(ArtRatchetTree {
    leaf_kinds,
    keys,
    leaf_nodes
});
