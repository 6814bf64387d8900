//! A tree change: as a commit carries it ([`TreeChange`]), as its author prepared it
//! ([`PendingTreeChange`]), and checked, ready to merge ([`StagedTreeChange`]).

use crate::codec::{impl_codec_enum, impl_codec_struct};
use crate::secret::Secret;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width};

use super::{LeafKind, NodeSecret, PublicKey, PublicTree, TreeChanges};

/// What a [`LeafChange`] does to its leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum LeafChangeKind {
    /// The member at the leaf (the sender) has a new leaf key.
    Update = 1,
    /// A newcomer takes the leaf: the leftmost blank or tombstone slot, or the first slot past
    /// the end, which doubles the tree.
    Add = 2,
    /// The member at the leaf is removed; the leaf becomes a tombstone with a fresh key, owned
    /// by the sender.
    Remove = 3,
    /// A live tombstone owned by a member this change removes gets a fresh key drawn by the
    /// sender, which becomes its owner (profile revision 2 §5, Transfer).
    Transfer = 4,
}

impl_codec_enum!(LeafChangeKind: u8, "leaf change kind" { Update, Add, Remove, Transfer });

/// One leaf's part of a [`TreeChange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafChange {
    /// What happens to the leaf.
    pub kind: LeafChangeKind,
    /// The leaf.
    pub leaf: LeafIndex,
    /// The leaf's new public key: the sender's new key, the one the adder derived for the
    /// newcomer, or the tombstone's.
    pub public_key: Vec<u8>,
}

impl_codec_struct!(LeafChange {
    kind,
    leaf,
    public_key
});

/// The public part of a tree change, as a commit carries it: the leaf changes, then the
/// public keys of every changed parent that has two non-blank children, in order of level,
/// then of node index. Pass-through and blank parents are not sent: every member knows the
/// tree's shape and derives them.
///
/// ```text
/// struct { LeafChange leaves<V>; opaque parent_keys<V><V>; } TreeChange;
/// struct { uint8 kind; uint32 leaf; opaque public_key<V>; } LeafChange;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TreeChange {
    /// The leaf changes, applied in order.
    pub leaves: Vec<LeafChange>,
    /// The changed parents' public keys.
    pub parent_keys: Vec<Vec<u8>>,
}

impl_codec_struct!(TreeChange {
    leaves,
    parent_keys
});

/// A change prepared by a member and not yet applied to its state.
///
/// Send [`PendingTreeChange::change`] to the group; once the ordering service confirms it,
/// apply it with [`ArtMember::merge`](super::ArtMember::merge), or drop it. Dropping it
/// erases the secrets it holds.
pub struct PendingTreeChange<S: CipherSuite> {
    pub(super) change: TreeChange,
    pub(super) newcomers: Vec<(LeafIndex, Secret)>,
    pub(super) staged: StagedTreeChange<S>,
}

impl<S: CipherSuite> core::fmt::Debug for PendingTreeChange<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingTreeChange")
            .field("change", &self.change)
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> PendingTreeChange<S> {
    /// What to send to the group.
    pub fn change(&self) -> &TreeChange {
        &self.change
    }

    /// The leaves and leaf secrets given to newcomers, to hand to each of them (in a Welcome).
    /// Until a newcomer updates, whoever knows its leaf secret knows its keys.
    pub fn newcomers(&self) -> &[(LeafIndex, Secret)] {
        &self.newcomers
    }

    /// The `commit_secret` the change leads to.
    pub fn commit_secret(&self) -> &Secret {
        &self.staged.commit_secret
    }

    /// The staged result, for [`ArtMember::merge`](super::ArtMember::merge).
    pub fn into_staged(self) -> StagedTreeChange<S> {
        self.staged
    }
}

/// A checked change, ready to be applied with [`ArtMember::merge`](super::ArtMember::merge).
pub struct StagedTreeChange<S: CipherSuite> {
    pub(super) base_version: u64,
    /// Staged on the public tree alone ([`PublicTree::stage`]): no path secrets, no
    /// `commit_secret`; only [`PublicTree::merge`] takes it.
    pub(super) public_only: bool,
    pub(super) changes: TreeChanges<S>,
    pub(super) own_path: Vec<NodeSecret<S>>,
    pub(super) commit_secret: Secret,
}

impl<S: CipherSuite> core::fmt::Debug for StagedTreeChange<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StagedTreeChange")
            .field("n_leaves", &self.changes.n_leaves)
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> StagedTreeChange<S> {
    /// The `commit_secret` after the change (empty for a change staged on the public tree
    /// alone, which gives none).
    pub fn commit_secret(&self) -> &Secret {
        &self.commit_secret
    }

    /// The width of the tree after the change, in leaves.
    pub fn n_leaves(&self) -> u32 {
        self.changes.n_leaves
    }

    /// The nodes whose key the change sets (changed leaves and their recomputed ancestors), in
    /// no particular order. Nodes past the new width are included when the tree shrinks.
    pub fn changed_nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.changes.keys.keys().copied()
    }

    /// The leaves whose kind the change sets, with their new kind.
    pub fn changed_leaves(&self) -> impl Iterator<Item = (LeafIndex, LeafKind)> + '_ {
        self.changes
            .leaves
            .iter()
            .map(|(leaf, kind)| (*leaf, *kind))
    }

    /// The public key of `node` in the tree after the change, where `base` is the tree the
    /// change was staged on.
    pub fn public_key<'a>(
        &'a self,
        base: &'a PublicTree<S>,
        node: NodeIndex,
    ) -> Option<&'a PublicKey<S>> {
        if node.0 >= node_width(self.changes.n_leaves) {
            return None;
        }
        match self.changes.keys.get(&node) {
            Some(key) => key.as_ref(),
            None => base.public_key(node),
        }
    }

    /// What `leaf` holds after the change, where `base` is the tree the change was staged on.
    pub fn leaf_kind(&self, base: &PublicTree<S>, leaf: LeafIndex) -> LeafKind {
        if leaf.0 >= self.changes.n_leaves {
            return LeafKind::Blank;
        }
        self.changes
            .leaves
            .get(&leaf)
            .copied()
            .unwrap_or_else(|| base.leaf_kind(leaf))
    }
}

impl<S: CipherSuite> From<PendingTreeChange<S>> for StagedTreeChange<S> {
    fn from(pending: PendingTreeChange<S>) -> Self {
        pending.staged
    }
}
